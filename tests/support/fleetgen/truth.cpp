// truth.json: what a correct loader must find, built from the same model the files are
// written from. Keys are sorted (nlohmann::json default), arrays are in generation order.
#include "truth.hpp"

namespace fleetgen {

namespace {

using nlohmann::json;

json numOrNull(bool present, double v) { return present ? json(v) : json(nullptr); }

json seriesTruth(const StudySpec& st, const SeriesSpec& se, Stamp& first, Stamp& last, bool& any) {
  const bool mr = se.modality == "MR", image = se.isImage();
  json j;
  j["series_uid"] = se.uid;
  j["modality"] = se.modality;
  j["series_description"] = se.description;
  j["protocol"] = se.protocol;
  j["sop_class_uid"] = se.sopClass;
  j["enhanced"] = se.enhanced;
  j["instances"] = se.files;
  j["nex"] = numOrNull(mr, se.nex.v);
  j["tr_ms"] = numOrNull(mr, se.tr.v);
  j["te_ms"] = numOrNull(mr, se.te.v);
  j["ti_ms"] = numOrNull(mr && se.hasTi, se.ti.v);
  j["echo_train_length"] = mr ? json(se.etl) : json(nullptr);
  j["flip_angle"] = numOrNull(mr, se.flip.v);
  j["slice_thickness_mm"] = numOrNull(image, se.thk.v);
  j["field_strength_t"] = numOrNull(mr, se.fieldStrength.v);
  j["ctdivol_mgy"] = numOrNull(se.modality == "CT", se.ctdi.v);
  if (image) {
    const auto stamps = acquisitionStamps(st, se, se.enhanced ? se.frames : se.files);
    j["first_acquired"] = isoDateTime(stamps.front());
    j["last_acquired"] = isoDateTime(stamps.back());
    j["acquisition_s"] = static_cast<double>(se.duration);
    first = any ? std::min(first, stamps.front()) : stamps.front();
    last = any ? std::max(last, stamps.back()) : stamps.back();
    any = true;
  } else {
    j["first_acquired"] = nullptr;
    j["last_acquired"] = nullptr;
    j["acquisition_s"] = nullptr;
  }
  return j;
}

}  // namespace

nlohmann::json buildTruth(const Fleet& f) {
  json root;
  root["generator"] = "dicomlake-fleetgen";
  root["seed"] = f.opt.seed;
  root["from"] = f.opt.from;
  root["to"] = f.opt.to;
  root["instances_per_series"] = f.opt.instancesPerSeries;

  json scanners = json::array();
  for (const auto& s : f.scanners) {
    json j;
    j["device_serial"] = s.serial;
    j["manufacturer"] = s.manufacturer;
    j["model"] = s.model;
    j["station"] = s.station;
    j["modality"] = s.modality;
    j["field_strength_t"] = numOrNull(s.modality == "MR", fmtNum(s.fieldStrength, 1).v);
    j["enhanced"] = s.enhanced;
    j["institution"] = s.institution;
    scanners.push_back(j);
  }
  root["scanners"] = scanners;

  json planted = json::array();
  for (const auto& p : f.planted)
    planted.push_back({{"device_serial", f.scanners[static_cast<std::size_t>(p.scanner)].serial},
                       {"protocol", p.protocol},
                       {"normal_nex", p.normalNex},
                       {"nex", p.nex}});
  root["planted_nex"] = planted;

  json studies = json::array();
  for (const auto& st : f.studies) {
    const Patient& p = f.patients[static_cast<std::size_t>(st.patient)];
    json j;
    j["study_uid"] = st.uid;
    j["patient_id"] = p.id;
    j["issuer_of_patient_id"] = "DICOMLAKE-HIS";
    j["other_patient_id"] = p.otherId;
    j["patient_birth_date"] = p.birth;
    j["patient_name"] = p.name;
    j["accession"] = st.accession;
    j["study_date"] = isoDate(st.startStamp());
    j["study_time"] = isoTime(st.startStamp());
    j["modality"] = st.modality;
    j["device_serial"] = f.scanners[static_cast<std::size_t>(st.scanner)].serial;
    j["fails"] = st.fails;
    j["dlp_total_mgycm"] = numOrNull(st.modality == "CT", st.dlpTotal.v);
    json series = json::array(), events = json::array();
    Stamp first = 0, last = 0;
    bool any = false;
    for (const auto& se : st.series) {
      series.push_back(seriesTruth(st, se, first, last, any));
      if (st.modality == "CT" && se.isImage())
        events.push_back({{"event_uid", se.eventUid},
                          {"ctdivol_mgy", se.ctdi.v},
                          {"dlp_mgycm", se.dlp.v},
                          {"target_region", se.region},
                          {"acquisition_type", se.acqType}});
    }
    j["first_acquired"] = any ? json(isoDateTime(first)) : json(nullptr);
    j["last_acquired"] = any ? json(isoDateTime(last)) : json(nullptr);
    j["series"] = series;
    j["ct_events"] = events;
    studies.push_back(j);
  }
  root["studies"] = studies;
  return root;
}

}  // namespace fleetgen
