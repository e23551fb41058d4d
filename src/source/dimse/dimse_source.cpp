#include "source/dimse/dimse_source.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <set>
#include <thread>

#include "source/dimse/find_window.hpp"
#include "source/dimse/store_scp.hpp"
#include "util/error.hpp"

namespace dicomlake::source::dimse {

namespace {

bool transient(FailureKind k) {
    return k == FailureKind::unreachable || k == FailureKind::timeout || k == FailureKind::server_error;
}

std::string iso_from_da(const OFString& da) {
    std::string s(da.c_str());
    if (s.size() != 8 || s.find_first_not_of("0123456789") != std::string::npos) return {};
    return s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2);
}

std::string as_list(const std::string& commas) {  // MR,CT -> MR\CT (C-FIND value list)
    std::string s = commas;
    for (char& c : s)
        if (c == ',') c = '\\';
    return s;
}

}  // namespace

void with_retries(const DimseOptions& o, const std::function<void()>& attempt) {
    for (int tried = 0;; ++tried) {
        if (o.breaker) o.breaker->wait_if_open();
        if (o.gate) o.gate->enter();
        try {
            attempt();
            if (o.gate) o.gate->leave();
            if (o.breaker) o.breaker->success();
            return;
        } catch (const SourceError& e) {
            if (o.gate) o.gate->leave();
            if (!transient(e.kind())) throw;
            auto verdict = o.breaker ? o.breaker->failure() : dicomweb::CircuitBreaker::Verdict::retry_normally;
            if (verdict == dicomweb::CircuitBreaker::Verdict::give_up) throw;
            if (verdict == dicomweb::CircuitBreaker::Verdict::paused) {
                --tried;  // a pause does not use up a retry
                continue;
            }
            if (tried >= o.retries) throw;
            spdlog::warn("{} (retry {} of {})", e.what(), tried + 1, o.retries);
            std::this_thread::sleep_for(std::chrono::milliseconds(500L << std::min(tried, 6)));
        } catch (...) {
            if (o.gate) o.gate->leave();
            throw;
        }
    }
}

long count_of(DcmDataset& answer, unsigned short group, unsigned short element) {
    OFString v;
    if (answer.findAndGetOFString(DcmTagKey(group, element), v).bad()) return -1;
    std::string s(v.c_str());
    while (!s.empty() && s.back() == ' ') s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::stol(s);
}

StudyRef DimseSource::study_ref(DcmDataset& answer) {
    StudyRef ref;
    OFString v;
    if (answer.findAndGetOFString(DCM_StudyInstanceUID, v).good()) ref.study_uid = v.c_str();
    while (!ref.study_uid.empty() && (ref.study_uid.back() == ' ' || ref.study_uid.back() == '\0'))
        ref.study_uid.pop_back();
    if (answer.findAndGetOFString(DCM_StudyDate, v).good()) ref.study_date = iso_from_da(v);
    ref.instances = count_of(answer, 0x0020, 0x1208);
    ref.series = count_of(answer, 0x0020, 0x1206);
    return ref;
}

DimseSource::DimseSource(DimseOptions options) : options_(std::move(options)) {
    if (options_.move_destination.empty()) options_.move_destination = options_.association.calling_aet;
}

DimseSource::~DimseSource() = default;

void DimseSource::probe() {
    try {
        Association a(options_.association, Purpose::echo);
        a.echo();
    } catch (const SourceError& e) {
        throw PacsError(std::string("the PACS did not answer a C-ECHO: ") + e.what());
    }
    if (options_.move && !store_) {
        // The storage SCP must listen before the first C-MOVE: started here, for the run's duration.
        store_ = std::make_shared<StoreScp>(options_.store_port, options_.move_destination,
                                            options_.association.timeout_s);
    }
}

DimseSource::Answer DimseSource::query(DcmDataset& keys, const std::string& what) {
    Answer out;
    with_retries(options_, [&] {
        Answer a;
        std::set<std::string> seen;
        size_t without_uid = 0;
        Association association(options_.association, Purpose::find);
        FindOutcome f = association.find(keys, [&](DcmDataset& answer) {
            StudyRef ref = study_ref(answer);
            if (ref.study_uid.empty()) {
                ++without_uid;
                return;
            }
            if (seen.insert(ref.study_uid).second) a.refs.push_back(std::move(ref));
        });
        if (without_uid > 0)
            spdlog::warn("the PACS lists studies without a StudyInstanceUID ({}): they cannot be fetched", what);
        if (f.failed)
            spdlog::info("the PACS ended the C-FIND of {} with status {} after {} answer(s)", what,
                         describe_dimse_status(f.status), f.answers);
        a.truncated = looks_truncated(f.answers, options_.find_cap, f.failed);
        out = std::move(a);
    });
    return out;
}

std::vector<StudyRef> DimseSource::list_window(const FindWindow& w) {
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
    keys.putAndInsertString(DCM_StudyInstanceUID, "");
    keys.putAndInsertString(DCM_StudyDate, w.study_date_value().c_str());
    keys.putAndInsertString(DCM_StudyTime, w.study_time_value().c_str());
    const std::string modalities = w.modality.empty() ? as_list(options_.modalities) : w.modality;
    keys.putAndInsertString(DCM_ModalitiesInStudy, modalities.c_str());
    keys.putAndInsertString(DCM_StudyDescription, options_.study_description.c_str());
    keys.putAndInsertString(DCM_NumberOfStudyRelatedInstances, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedSeries, "");
    Answer a = query(keys, w.describe());
    if (!a.truncated) return std::move(a.refs);
    auto narrower = split_window(w, options_.modalities);
    if (narrower.empty())
        throw SourceError(FailureKind::truncated,
                          "the PACS caps the C-FIND study list of " + w.describe() +
                              " however it is narrowed: it cannot be listed completely (raise pacs.find_cap to "
                              "the PACS's real cap, or the cap on the PACS)");
    spdlog::info("the C-FIND study list of {} may be cut at the PACS's cap: asking {} narrower queries", w.describe(),
                 narrower.size());
    std::vector<StudyRef> all;
    std::set<std::string> seen;
    for (const auto& part : narrower)
        for (auto& r : list_window(part))
            if (seen.insert(r.study_uid).second) all.push_back(std::move(r));
    return all;
}

std::vector<StudyRef> DimseSource::list_studies(const std::string& first_day, const std::string& last_day) {
    FindWindow w;
    w.first_day = first_day;
    w.last_day = last_day;
    return list_window(w);
}

std::vector<StudyRef> DimseSource::find_studies(const std::string& keyword, const std::string& value) {
    // The value names a study or a patient's accession: it goes in the query, never in a message.
    DcmTagKey key;
    if (keyword == "AccessionNumber")
        key = DCM_AccessionNumber;
    else if (keyword == "StudyInstanceUID")
        key = DCM_StudyInstanceUID;
    else
        throw SourceError(FailureKind::other, "a DIMSE lookup by " + keyword + " is not supported");
    if (value.empty() || value.find_first_of("*?\\") != std::string::npos)
        throw SourceError(FailureKind::malformed, "a " + keyword +
                                                      " holding *, ? or a backslash (or empty) cannot be matched "
                                                      "exactly by C-FIND");
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
    keys.putAndInsertString(DCM_StudyInstanceUID, "");
    keys.putAndInsertString(DCM_StudyDate, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedInstances, "");
    keys.putAndInsertString(DCM_NumberOfStudyRelatedSeries, "");
    keys.putAndInsertString(key, value.c_str());
    Answer a = query(keys, keyword + " lookup");
    if (a.truncated) throw SourceError(FailureKind::truncated, "the PACS truncated a " + keyword + " lookup");
    return std::move(a.refs);
}

std::unique_ptr<Session> DimseSource::open_session() { return make_session(options_, store_); }

}  // namespace dicomlake::source::dimse
