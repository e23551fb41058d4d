#include "pipeline/transform.hpp"

#include "deid/policy.hpp"
#include "model/walk.hpp"

namespace dicomlake::pipeline {

namespace {

std::string failure_hint(source::FailureKind kind) {
    switch (kind) {
        case source::FailureKind::not_found:
            return " (the PACS lists the study but cannot serve its metadata; Orthanc does this when one "
                   "StudyInstanceUID sits under two patients)";
        case source::FailureKind::refused: return " (the PACS refused the credentials for this study)";
        default: return "";
    }
}

// Attribute slots a worker keeps between studies (about 1 MB with their strings): a large dose
// report has a hundred times more, which are freed after its study.
constexpr size_t kKeptAttributeSlots = 5000;

struct ReleaseOutsized {
    model::Instance& instance;
    ~ReleaseOutsized() {
        if (instance.attributes.capacity() > kKeptAttributeSlots) instance = model::Instance{};
    }
};

}  // namespace

StudyOutcome transform_study(const source::StudyRef& ref, source::Session& session, const deid::Pseudonymizer& pseudo,
                             const model::AttributeFilter& policy, const model::WalkOptions& walk) {
    StudyOutcome o;
    o.study_key = pseudo.uid(ref.study_uid);
    o.study_date = ref.study_date;
    try {
        normalize::StudyAccumulator acc;
        // Every instance a worker walks goes into this one: its memory is reused from instance to
        // instance and study to study, except after an outsized instance (released below).
        thread_local model::Instance instance;
        {
            const ReleaseOutsized release{instance};  // also when the study fails mid-walk
            session.fetch_study(ref, [&](model::DatasetReader& dataset, const source::InstanceMeta& meta) {
                model::walk_instance(dataset, policy, walk, instance);
                instance.series_instances_on_pacs = meta.series_instances_on_pacs;
                acc.add(instance);
            });
        }
        // No check against NumberOfStudyRelatedInstances here: Orthanc, for one, counts one of
        // several studies sharing a StudyInstanceUID and serves the metadata of another.
        o.result = acc.finish();
        o.result.activity_key = pseudo.token(deid::Purpose::activity, o.result.study.study_key);
        if (!ref.study_date.empty()) o.result.sealed_day = pseudo.seal(ref.study_date);
        o.ok = true;
    } catch (const source::SourceError& e) {
        o.kind = e.kind();
        o.reason = std::string(source::to_string(e.kind())) + ": " + e.what() + failure_hint(e.kind());
    } catch (const deid::DeidRefusal& e) {
        o.kind = source::FailureKind::other;
        o.reason = std::string("refused by de-identification: ") + e.what();
    } catch (const model::LimitExceeded& e) {
        o.kind = source::FailureKind::limit;
        o.reason = std::string("limit: ") + e.what();
    } catch (const model::MalformedJson& e) {
        o.kind = source::FailureKind::malformed;
        o.reason = std::string("malformed: ") + e.what();
    } catch (const std::exception& e) {
        o.kind = source::FailureKind::other;
        o.reason = std::string("unusable metadata: ") + e.what();
    }
    return o;
}

}  // namespace dicomlake::pipeline
