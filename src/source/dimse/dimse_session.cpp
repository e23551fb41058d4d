// A worker's DIMSE session: for each study, C-FIND its series, then C-GET (or C-MOVE) them one
// series at a time on one association. Each object is read in memory as it arrives, walked, and
// dropped: at most one object's pixel data is in memory at a time (C-GET), none is kept.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <set>

#include "model/dcmtk_reader.hpp"
#include "source/dimse/dimse_source.hpp"
#include "source/dimse/sampling.hpp"
#include "source/dimse/store_scp.hpp"

namespace dicomlake::source::dimse {

namespace {

std::string text_of(DcmItem& item, const DcmTagKey& key) {
    OFString v;
    if (item.findAndGetOFString(key, v).bad()) return {};
    std::string s(v.c_str());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
}

class DimseSession final : public Session {
public:
    DimseSession(const DimseOptions& options, std::shared_ptr<StoreScp> store)
        : options_(options), store_(std::move(store)) {}

    void fetch_study(const StudyRef& study, const InstanceHandler& on_instance) override {
        if (!valid_uid(study.study_uid))
            throw SourceError(FailureKind::malformed,
                              "the PACS lists a StudyInstanceUID that is not a UID (1-64 digits and dots): the "
                              "study cannot be fetched; fix it on the PACS");
        const Purpose purpose = options_.move ? Purpose::move : Purpose::get;
        // The association is opened, and the series listed, with retries: nothing is handed on yet.
        std::unique_ptr<Association> association;
        std::vector<SeriesInfo> series;
        with_retries(options_, [&] {
            association.reset();
            association = std::make_unique<Association>(options_.association, purpose);
            series = list_series(*association, study);
        });
        // From the first object handed on, a failure fails the study (a later run retries it).
        if (options_.gate) options_.gate->enter();
        struct Leave {
            dicomweb::RequestGate* gate;
            ~Leave() {
                if (gate) gate->leave();
            }
        } leave{options_.gate.get()};
        for (const auto& s : series) fetch_series(*association, study, s, on_instance);
    }

private:
    std::vector<SeriesInfo> list_series(Association& association, const StudyRef& study) {
        DcmDataset keys;
        keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
        keys.putAndInsertString(DCM_StudyInstanceUID, study.study_uid.c_str());
        keys.putAndInsertString(DCM_SeriesInstanceUID, "");
        keys.putAndInsertString(DCM_Modality, "");
        keys.putAndInsertString(DCM_NumberOfSeriesRelatedInstances, "");
        std::vector<SeriesInfo> out;
        std::set<std::string> seen;
        FindOutcome f = association.find(keys, [&](DcmDataset& answer) {
            SeriesInfo s;
            s.uid = text_of(answer, DCM_SeriesInstanceUID);
            s.modality = text_of(answer, DCM_Modality);
            s.instances = count_of(answer, 0x0020, 0x1209);
            if (!valid_uid(s.uid))
                throw SourceError(FailureKind::malformed, "the PACS lists a series whose SeriesInstanceUID is not a "
                                                          "UID: the study cannot be fetched");
            if (seen.insert(s.uid).second) out.push_back(std::move(s));
        });
        if (f.failed)
            throw SourceError(FailureKind::server_error,
                              "the C-FIND of the study's series ended with status " + describe_dimse_status(f.status));
        if (study.series >= 0 && static_cast<long>(out.size()) < study.series)
            throw SourceError(FailureKind::truncated,
                              "the PACS lists " + std::to_string(out.size()) + " of the study's " +
                                  std::to_string(study.series) +
                                  " series (NumberOfStudyRelatedSeries): the series list is incomplete");
        if (out.empty()) throw SourceError(FailureKind::not_found, "C-FIND lists no series for the study");
        return out;
    }

    // The SOP Instance UIDs of the first `n` instances of the series, by InstanceNumber.
    std::vector<std::string> first_instances(Association& association, const StudyRef& study, const SeriesInfo& s,
                                             long n) {
        DcmDataset keys;
        keys.putAndInsertString(DCM_QueryRetrieveLevel, "IMAGE");
        keys.putAndInsertString(DCM_StudyInstanceUID, study.study_uid.c_str());
        keys.putAndInsertString(DCM_SeriesInstanceUID, s.uid.c_str());
        keys.putAndInsertString(DCM_SOPInstanceUID, "");
        keys.putAndInsertString(DCM_InstanceNumber, "");
        std::vector<InstanceInfo> found;
        FindOutcome f = association.find(keys, [&](DcmDataset& answer) {
            InstanceInfo i;
            i.uid = text_of(answer, DCM_SOPInstanceUID);
            i.number = count_of(answer, 0x0020, 0x0013);
            if (valid_uid(i.uid)) found.push_back(std::move(i));
        });
        if (f.failed)
            throw SourceError(FailureKind::server_error,
                              "the C-FIND of a series' instances ended with status " + describe_dimse_status(f.status));
        return first_n(std::move(found), n);
    }

    void fetch_series(Association& association, const StudyRef& study, const SeriesInfo& s,
                      const InstanceHandler& on_instance) {
        InstanceMeta meta;
        const long n = options_.instances_per_series;
        if (sampled(s, n)) {
            meta.series_instances_on_pacs = s.instances;
            for (const auto& sop : first_instances(association, study, s, n)) {
                DcmDataset keys;
                keys.putAndInsertString(DCM_QueryRetrieveLevel, "IMAGE");
                keys.putAndInsertString(DCM_StudyInstanceUID, study.study_uid.c_str());
                keys.putAndInsertString(DCM_SeriesInstanceUID, s.uid.c_str());
                keys.putAndInsertString(DCM_SOPInstanceUID, sop.c_str());
                retrieve(association, keys, study, 1, meta, on_instance);
            }
            return;
        }
        DcmDataset keys;
        keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
        keys.putAndInsertString(DCM_StudyInstanceUID, study.study_uid.c_str());
        keys.putAndInsertString(DCM_SeriesInstanceUID, s.uid.c_str());
        retrieve(association, keys, study, s.instances, meta, on_instance);
    }

    // One C-GET or C-MOVE; every object is walked as it is received. `expected` (-1: unknown)
    // is what C-FIND said the query covers: fewer objects fail the study.
    void retrieve(Association& association, DcmDataset& keys, const StudyRef& study, long expected,
                  const InstanceMeta& meta, const InstanceHandler& on_instance) {
        auto hand_on = [&](std::unique_ptr<DcmDataset> object) {
            model::prepare_dataset(*object);
            model::DcmtkReader reader(*object);
            on_instance(reader, meta);
        };  // the object (and its pixel data) is deleted here
        RetrieveOutcome r;
        long received = 0;
        if (options_.move) {
            auto mailbox = store_->expect(study.study_uid);
            auto drain = [&] {
                for (auto& object : mailbox->take()) {
                    ++received;
                    hand_on(std::move(object));
                }
            };
            r = association.move(keys, options_.move_destination, drain);
            mailbox->wait_for(r.completed + r.warning, options_.association.timeout_s);
            drain();
        } else {
            r = association.get(keys, hand_on);
            received = r.received;
        }
        const char* op = options_.move ? "C-MOVE" : "C-GET";
        if (!r.ok())
            throw SourceError(FailureKind::server_error,
                              std::string(op) + " of a series ended with status " + describe_dimse_status(r.status) +
                                  " (" + std::to_string(r.failed) + " sub-operation(s) failed, " +
                                  std::to_string(r.completed) + " completed)");
        if (expected >= 0 && received < expected)
            throw SourceError(FailureKind::truncated, std::string(op) + " of a series brought " +
                                                          std::to_string(received) + " of its " +
                                                          std::to_string(expected) + " instances");
    }

    DimseOptions options_;
    std::shared_ptr<StoreScp> store_;
};

}  // namespace

std::unique_ptr<Session> make_session(const DimseOptions& options, std::shared_ptr<StoreScp> store) {
    if (options.move && !store)
        throw SourceError(FailureKind::other, "C-MOVE needs the storage SCP, started by probe(): call it first");
    return std::make_unique<DimseSession>(options, std::move(store));
}

}  // namespace dicomlake::source::dimse
