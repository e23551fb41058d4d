#include "source/dicomweb/dicomweb_source.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <set>

#include "model/instance.hpp"
#include "source/dicomweb/answers.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"

namespace dicomlake::source::dicomweb {

DicomwebSource::DicomwebSource(DicomwebOptions options)
    : options_(std::move(options)), query_client_(options_.http) {
    options_.root = trim_root(options_.root);
}

void DicomwebSource::probe() {
    const std::string origin = url_origin(options_.root);
    HttpResponse r;
    try {
        r = query_client_.get(options_.root + "/studies?limit=1&offset=0", kDicomJson, "QIDO-RS probe");
    } catch (const SourceError& e) {
        throw PacsError(std::string("cannot reach the PACS: ") + e.what() +
                        " (check pacs.url / DICOMLAKE_PACS_URL and that the server is up)");
    }
    if (r.status == 401 || r.status == 403)
        throw PacsError("the PACS at " + origin + " refused the credentials (" + describe_status(r.status) +
                        "): check pacs.user and the password (DICOMLAKE_PACS_PASSWORD or _FILE)");
    if (r.status == 404)
        throw PacsError("the PACS at " + origin + " has no QIDO-RS endpoint under " + options_.root +
                        " (404): pacs.url must be the DICOMweb root, e.g. http://host:8042/dicom-web");
    if (r.status != 200 && r.status != 204)
        throw PacsError("the PACS at " + origin + " answered the QIDO-RS probe with " + describe_status(r.status));
}

std::vector<std::string> DicomwebSource::split_multipart(const std::string& body, const std::string& content_type) {
    auto pos = content_type.find("boundary=");
    if (pos == std::string::npos)
        throw SourceError(FailureKind::malformed, "a multipart answer without a boundary parameter");
    std::string boundary = content_type.substr(pos + 9);
    boundary = boundary.substr(0, boundary.find(';'));
    if (boundary.size() >= 2 && boundary.front() == '"') boundary = boundary.substr(1, boundary.size() - 2);
    if (boundary.empty() || boundary.size() > 70)  // RFC 2046: 1 to 70 characters
        throw SourceError(FailureKind::malformed, "a multipart answer whose boundary is empty or too long");
    const std::string delimiter = "--" + boundary;
    std::vector<std::string> parts;
    size_t at = body.find(delimiter);
    while (at != std::string::npos) {
        size_t start = at + delimiter.size();
        if (body.compare(start, 2, "--") == 0) break;  // the closing delimiter
        size_t headers_end = body.find("\r\n\r\n", start);
        size_t skip = 4;
        if (headers_end == std::string::npos) {
            headers_end = body.find("\n\n", start);
            skip = 2;
        }
        size_t next = body.find(delimiter, start);
        if (headers_end == std::string::npos || next == std::string::npos || headers_end > next)
            throw SourceError(FailureKind::malformed, "a multipart answer with a truncated part");
        size_t content_start = headers_end + skip;
        size_t content_end = next;
        // The line break before the next delimiter belongs to it, unless it is the one that
        // ended the headers (an empty part): never end before the start.
        if (content_end >= content_start + 2 && body.compare(content_end - 2, 2, "\r\n") == 0)
            content_end -= 2;
        else if (content_end >= content_start + 1 && body[content_end - 1] == '\n')
            content_end -= 1;
        parts.push_back(body.substr(content_start, content_end - content_start));
        at = next;
    }
    if (parts.empty()) throw SourceError(FailureKind::malformed, "a multipart answer with no part");
    return parts;
}

std::vector<StudyRef> DicomwebSource::parse_qido_page(const std::string& body, size_t* without_uid) {
    std::vector<StudyRef> out;
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) return out;
    nlohmann::json page;
    try {
        page = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        throw SourceError(FailureKind::malformed, "QIDO-RS answer is not JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception&) {  // out_of_range: a number such as 1e400
        throw SourceError(FailureKind::malformed, "QIDO-RS answer holds a number out of range");
    }
    if (page.is_object()) page = nlohmann::json::array({page});
    if (!page.is_array()) throw SourceError(FailureKind::malformed, "QIDO-RS answer is not a JSON array");
    for (const auto& study : page) {
        if (!study.is_object()) throw SourceError(FailureKind::malformed, "QIDO-RS answer holds a non-object");
        StudyRef ref;
        // A UID that is not a UID is kept: the study is then recorded as failed with the reason
        // (the session refuses to fetch it), rather than silently missing.
        ref.study_uid = first_string(study, "0020000D");
        if (ref.study_uid.empty()) {
            if (without_uid != nullptr) ++*without_uid;
            continue;
        }
        ref.study_date = model::iso_date(first_string(study, "00080020"));
        ref.instances = count_value(study, "00201208");
        ref.series = count_value(study, "00201206");
        out.push_back(std::move(ref));
    }
    return out;
}

namespace {

constexpr int kMinTimeWindowSeconds = 15 * 60;

}  // namespace

std::vector<StudyRef> DicomwebSource::list_studies(const std::string& first_day, const std::string& last_day) {
    const std::string dates = dicom_date_range(first_day, last_day);
    auto q = query_studies("StudyDate=" + dates + listing_filters(),
                           first_day == last_day ? first_day : first_day + ".." + last_day);
    if (!q.truncated) return std::move(q.refs);
    if (first_day == last_day) return list_day_by_time(first_day, 0, 24 * 3600 - 1);
    // The PACS truncated the answer: ask again day by day.
    std::vector<StudyRef> all;
    std::set<std::string> seen;
    for (std::string day = first_day;; day = add_days(day, 1)) {
        for (auto& r : list_studies(day, day))
            if (seen.insert(r.study_uid).second) all.push_back(std::move(r));
        if (day == last_day) break;
    }
    return all;
}

std::vector<StudyRef> DicomwebSource::list_day_by_time(const std::string& day, int from_s, int to_s) {
    const std::string window = day + " " + dicom_time(from_s) + "-" + dicom_time(to_s);
    const std::string filter =
        "StudyDate=" + dicom_date_range(day, day) + "&StudyTime=" + dicom_time(from_s) + "-" + dicom_time(to_s) + listing_filters();
    auto q = query_studies(filter, window);
    if (!q.truncated) return std::move(q.refs);
    std::vector<StudyRef> all;
    std::set<std::string> seen;
    auto take = [&](std::vector<StudyRef>&& refs) {
        for (auto& r : refs)
            if (seen.insert(r.study_uid).second) all.push_back(std::move(r));
    };
    if (to_s - from_s + 1 > kMinTimeWindowSeconds) {
        int mid = from_s + (to_s - from_s) / 2;
        spdlog::info("the PACS truncated the study list of {}: splitting it in two", window);
        take(list_day_by_time(day, from_s, mid));
        take(list_day_by_time(day, mid + 1, to_s));
        return all;
    }
    spdlog::info("the PACS truncated the study list of {}: asking modality by modality", window);
    for (const char* modality : kSplitModalities) {
        if (!modality_asked_for(options_.modalities, modality)) continue;  // not one of the modalities asked for
        std::string by_modality = "StudyDate=" + dicom_date_range(day, day) + "&StudyTime=" + dicom_time(from_s) + "-" +
                                  dicom_time(to_s) + "&ModalitiesInStudy=" + modality;
        if (!options_.study_description.empty())
            by_modality += "&StudyDescription=" + url_encode(options_.study_description);
        auto m = query_studies(by_modality, window + " " + modality);
        if (m.truncated)
            throw SourceError(FailureKind::truncated,
                              "the PACS truncates the study list of " + window + " even for modality " + modality +
                                  ": it cannot be listed completely (raise the PACS's result cap, or lower "
                                  "pacs.page_size if the PACS caps pages)");
        take(std::move(m.refs));
    }
    return all;
}

std::string DicomwebSource::listing_filters() const {
    std::string f;
    if (!options_.modalities.empty()) f += "&ModalitiesInStudy=" + url_encode(options_.modalities);
    if (!options_.study_description.empty()) f += "&StudyDescription=" + url_encode(options_.study_description);
    return f;
}

std::vector<StudyRef> DicomwebSource::find_studies(const std::string& keyword, const std::string& value) {
    // The value names a study or a patient's accession: it goes in the query, never in a message.
    auto q = query_studies(keyword + "=" + url_encode(value), keyword + " lookup");
    if (q.truncated) throw SourceError(FailureKind::truncated, "the PACS truncated a " + keyword + " lookup");
    return std::move(q.refs);
}

DicomwebSource::QueryOutcome DicomwebSource::query_studies(const std::string& filter, const std::string& what) {
    size_t without_uid = 0;
    auto list = page_through<StudyRef>(
        query_client_, options_.root + "/studies?" + filter + "&includefield=00201208&includefield=00201206",
        options_.page_size, options_.max_pages, "QIDO-RS study query (" + what + ")",
        [&](const std::string& body) {
            without_uid = 0;  // counted again when a page is fetched again
            return parse_qido_page(body, &without_uid);
        },
        [](const StudyRef& r) { return r.study_uid; });
    if (without_uid > 0)
        spdlog::warn("the PACS lists studies without a StudyInstanceUID ({}): they cannot be fetched", what);
    QueryOutcome out;
    out.truncated = list.truncated;
    std::set<std::string> seen;
    for (auto& ref : list.items) {
        // Orthanc lists a StudyInstanceUID once per patient it sits under: keep it once.
        if (seen.insert(ref.study_uid).second) out.refs.push_back(std::move(ref));
    }
    return out;
}

std::unique_ptr<Session> DicomwebSource::open_session() { return make_session(options_); }

}  // namespace dicomlake::source::dicomweb
