// CT planning: a scout, 1-3 irradiating series and an X-Ray Radiation Dose SR per study.
#include <map>
#include <stdexcept>

#include "fleet.hpp"

namespace fleetgen {

namespace {

struct CtType {
  const char* key;
  const char* description;
  const char* code;
  std::vector<std::string> protocols;  // after the scout
  double weight;
};

const std::vector<CtType> kTypes = {
    {"HEAD", "CT HEAD", "CTHEAD", {"CT_HEAD"}, 0.2},
    {"CHEST", "CT CHEST", "CTCHEST", {"CT_CHEST"}, 0.3},
    {"ABDOMEN", "CT ABDOMEN", "CTABD", {"CT_ABDOMEN"}, 0.2},
    {"CHEST_ABDOMEN", "CT CHEST ABDOMEN", "CTCHABD", {"CT_CHEST", "CT_ABDOMEN"}, 0.15},
    {"ABDOMEN_3PHASE", "CT ABDOMEN 3 PHASE", "CTABD3P", {"CT_ABDOMEN_NATIVE", "CT_ABDOMEN_ART", "CT_ABDOMEN_PV"}, 0.15},
};

std::string regionOf(const std::string& protocol) {
  if (protocol == "CT_HEAD") return "HEAD";
  if (protocol == "CT_CHEST") return "CHEST";
  return "ABDOMEN";
}

// Vendor-style series descriptions: {description, kernel, slice thickness}.
struct Recon {
  std::string description, kernel;
  double thk;
};

Recon recon(Vendor v, const std::string& p) {
  static const std::map<std::string, std::vector<Recon>> table = {
      // SIEMENS, GE, PHILIPS, CANON
      {"SCOUT", {{"Topogram 0.6 T20s", "T20s", 0.6}, {"Scout", "STANDARD", 1.25}, {"Surview", "B", 1.0},
                 {"Scanogram", "FC13", 1.0}}},
      {"CT_HEAD", {{"Head 4.8 H31s", "H31s", 4.8}, {"Head 5mm", "SOFT", 5.0}, {"Head 3mm", "UB", 3.0},
                   {"Head 5.0 FC26", "FC26", 5.0}}},
      {"CT_CHEST", {{"Chest 1.0 B30f", "B30f", 1.0}, {"Chest 1.25mm", "STANDARD", 1.25}, {"Chest 1mm", "B", 1.0},
                    {"Chest 1.0 FC08", "FC08", 1.0}}},
      {"CT_ABDOMEN", {{"Abdomen 5.0 B30f", "B30f", 5.0}, {"Abdomen 5mm", "STANDARD", 5.0},
                      {"Abdomen 3mm", "B", 3.0}, {"Abdomen 5.0 FC08", "FC08", 5.0}}},
      {"CT_ABDOMEN_NATIVE", {{"Abdomen nativ 5.0 B30f", "B30f", 5.0}, {"Abdomen Native 5mm", "STANDARD", 5.0},
                             {"Abdomen Native 3mm", "B", 3.0}, {"Abd Plain 5.0 FC08", "FC08", 5.0}}},
      {"CT_ABDOMEN_ART", {{"Abdomen arteriell 1.0 B30f", "B30f", 1.0}, {"Abdomen Arterial 1.25mm", "STANDARD", 1.25},
                          {"Abdomen Arterial 1mm", "B", 1.0}, {"Abd Arterial 1.0 FC08", "FC08", 1.0}}},
      {"CT_ABDOMEN_PV", {{"Abdomen venoes 5.0 B30f", "B30f", 5.0}, {"Abdomen Portal 5mm", "STANDARD", 5.0},
                         {"Abdomen Portal 3mm", "B", 3.0}, {"Abd Portal 5.0 FC08", "FC08", 5.0}}},
  };
  return table.at(p)[static_cast<std::size_t>(v)];
}

SeriesSpec makeCtSeries(const Fleet& f, const Scanner& sc, const std::string& protocol,
                        const std::string& region, Rng& rng) {
  SeriesSpec s;
  const bool scout = protocol == "SCOUT";
  const Recon rc = recon(sc.vendor, protocol);
  s.protocol = protocol;
  s.modality = "CT";
  s.sopClass = "1.2.840.10008.5.1.4.1.1.2";
  s.description = rc.description;
  s.kernel = rc.kernel;
  s.thk = fmtNum(rc.thk, 2);
  s.files = f.opt.instancesPerSeries;
  s.region = region == "HEAD" ? "Head" : region == "CHEST" ? "Chest" : "Abdomen";
  s.regionCode = region == "HEAD" ? "T-D1100" : region == "CHEST" ? "T-D3000" : "T-D4000";
  const bool head = region == "HEAD";
  s.phantom = head ? "IEC Head Dosimetry Phantom" : "IEC Body Dosimetry Phantom";
  s.phantomCode = head ? "113690" : "113691";

  double ctdi = 0, len = 0;
  int mA = 0;
  if (scout) {
    ctdi = rng.uniform(0.05, 0.35);
    len = head ? rng.uniform(22, 28) : rng.uniform(40, 60);
    mA = rng.uniformInt(20, 50);
    s.duration = rng.uniformInt(4, 9);
    s.acqType = "Constant Angle Acquisition";
    s.acqTypeCode = "113805";
    s.acqTypeScheme = "DCM";
    s.kvp = fmtNum(120, 0);
  } else {
    if (head) {
      ctdi = rng.uniform(35, 60);
      len = rng.uniform(14, 20);
      mA = rng.uniformInt(250, 350);
    } else if (region == "CHEST") {
      ctdi = rng.uniform(3, 12);
      len = rng.uniform(28, 38);
      mA = rng.uniformInt(80, 250);
    } else {
      ctdi = rng.uniform(6, 18);
      len = rng.uniform(32, 45);
      mA = rng.uniformInt(150, 400);
    }
    s.kvp = fmtNum(region == "CHEST" && rng.chance(0.4) ? 100 : 120, 0);
    if (head) {
      s.duration = rng.uniformInt(8, 20);
      s.acqType = "Sequenced Acquisition";
      s.acqTypeCode = "113804";
      s.acqTypeScheme = "DCM";
    } else {
      s.duration = rng.uniformInt(3, 12);
      s.acqType = "Spiral Acquisition";
      s.acqTypeCode = "P5-08001";
      s.acqTypeScheme = "SRT";
      s.hasPitch = true;
      s.pitch = fmtNum(rng.uniform(0.6, 1.4), 3);
    }
  }
  s.ctdi = fmtNum(ctdi, 2);
  s.lengthCm = fmtNum(len, 1);
  s.dlp = fmtNum(s.ctdi.v * s.lengthCm.v, 2);
  s.mA = mA;
  s.exposureMs = scout ? s.duration * 1000 : rng.pick(std::vector<int>{280, 330, 500, 1000});
  s.mAs = static_cast<int>(mA * s.exposureMs / 1000.0 + 0.5);
  s.exposureTimeS = fmtNum(s.duration, 1);
  return s;
}

}  // namespace

void planCtStudy(const Fleet& f, StudySpec& st, Rng& rng) {
  const Scanner& sc = f.scanners[static_cast<std::size_t>(st.scanner)];
  double r = rng.u01();
  const CtType* type = &kTypes.back();
  for (const auto& t : kTypes) {
    if (r < t.weight) {
      type = &t;
      break;
    }
    r -= t.weight;
  }
  st.ctType = type->key;
  st.description = type->description;
  st.procCode = type->code;
  const std::string firstRegion = regionOf(type->protocols.front());
  st.bodyPart = firstRegion;

  int t = rng.uniformInt(180, 400);
  std::vector<std::string> protocols = {"SCOUT"};
  protocols.insert(protocols.end(), type->protocols.begin(), type->protocols.end());
  double dlpSum = 0;
  for (std::size_t i = 0; i < protocols.size(); ++i) {
    const std::string region = i == 0 ? firstRegion : regionOf(protocols[i]);
    SeriesSpec s = makeCtSeries(f, sc, protocols[i], region, rng);
    s.number = static_cast<int>(i) + 1;
    s.offset = t;
    t += s.duration + (i == 0 ? rng.uniformInt(20, 60) : rng.uniformInt(20, 70));
    dlpSum += s.dlp.v;
    st.series.push_back(std::move(s));
  }
  st.dlpTotal = fmtNum(dlpSum, 2);

  SeriesSpec sr;
  sr.protocol = "DOSE_SR";
  sr.modality = "SR";
  sr.sopClass = "1.2.840.10008.5.1.4.1.1.88.67";
  static const int srNumbers[] = {501, 997, 1001, 9001};
  sr.number = srNumbers[static_cast<int>(sc.vendor)];
  sr.description = sc.vendor == Vendor::Philips ? "Dose Info" : "Dose Report";
  sr.files = 1;
  sr.offset = t + rng.uniformInt(5, 40);
  sr.duration = 0;
  st.series.push_back(std::move(sr));
  st.duration = st.series.back().offset + rng.uniformInt(60, 240);
}

}  // namespace fleetgen
