#include "source/dicomweb/dicomweb_source.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <set>

#include "model/dicom_json.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"

namespace dicomlake::source::dicomweb {

namespace {

constexpr const char* kDicomJson = "application/dicom+json";

std::string trim_root(std::string root) {
    while (!root.empty() && root.back() == '/') root.pop_back();
    return root;
}

std::string compact_date(const std::string& iso) {
    std::string s;
    for (char c : iso)
        if (c != '-') s += c;
    return s;
}

std::string first_string(const nlohmann::json& study, const char* tag) {
    auto it = study.find(tag);
    if (it == study.end() || !it->is_object()) return {};
    auto v = it->find("Value");
    if (v == it->end() || !v->is_array() || v->empty()) return {};
    const auto& first = (*v)[0];
    if (first.is_string()) return first.get<std::string>();
    // Integers only: a float (1e300) converted to an integer type is undefined behaviour.
    if (first.is_number_unsigned()) return std::to_string(first.get<unsigned long long>());
    if (first.is_number_integer()) return std::to_string(first.get<long long>());
    return {};
}

std::string describe_status(long status) {
    switch (status) {
        case 401: return "401 Unauthorized: the PACS refused the credentials";
        case 403: return "403 Forbidden: the PACS refused access for this user";
        case 404: return "404 Not Found";
        default: return "HTTP " + std::to_string(status);
    }
}

// Percent-encodes a QIDO-RS query value. Wildcards (* ?) and the comma of value lists stay
// literal: servers match on them as written (Orthanc does not decode %2A back to *).
std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '*' || c == '?' || c == ',') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

FailureKind kind_of(long status) {
    if (status == 401 || status == 403) return FailureKind::refused;
    if (status == 404) return FailureKind::not_found;
    if (status == 429) return FailureKind::throttled;
    if (status >= 500) return FailureKind::server_error;
    return FailureKind::other;
}

class DicomwebSession final : public Session {
public:
    DicomwebSession(const DicomwebOptions& options)
        : root_(trim_root(options.root)), series_threshold_(options.series_threshold), page_size_(options.page_size),
          client_(options.http) {}

    void fetch_study_metadata(const StudyRef& study, const BodyHandler& on_body) override {
        if (series_threshold_ > 0 && study.instances > series_threshold_) {
            // A large study: one series at a time, so memory follows the largest series.
            for (const auto& series_uid : list_series(study.study_uid))
                fetch(root_ + "/studies/" + study.study_uid + "/series/" + series_uid + "/metadata",
                      "WADO-RS series metadata", on_body);
            return;
        }
        fetch(root_ + "/studies/" + study.study_uid + "/metadata", "WADO-RS study metadata", on_body);
    }

private:
    std::vector<std::string> list_series(const std::string& study_uid) {
        std::vector<std::string> out;
        std::set<std::string> seen;
        for (long offset = 0;;) {
            HttpResponse r = client_.get(root_ + "/studies/" + study_uid + "/series?limit=" + std::to_string(page_size_) +
                                             "&offset=" + std::to_string(offset),
                                         kDicomJson, "QIDO-RS series query");
            if (r.status == 204) break;
            if (r.status != 200)
                throw SourceError(kind_of(r.status), "QIDO-RS series query: " + describe_status(r.status), r.status);
            nlohmann::json page;
            try {
                page = nlohmann::json::parse(r.body);
            } catch (const nlohmann::json::exception&) {  // parse_error, or out_of_range for 1e400
                throw SourceError(FailureKind::malformed, "QIDO-RS series answer is not JSON");
            }
            if (!page.is_array() || page.empty()) break;
            size_t fresh = 0;
            for (const auto& series : page) {
                std::string uid = series.is_object() ? first_string(series, "0020000E") : std::string();
                if (!uid.empty() && seen.insert(uid).second) {
                    out.push_back(uid);
                    ++fresh;
                }
            }
            if (fresh == 0) break;  // a server ignoring offset: nothing new
            offset += static_cast<long>(page.size());
        }
        if (out.empty()) throw SourceError(FailureKind::not_found, "QIDO-RS lists no series for the study");
        return out;
    }

    void fetch(const std::string& url, const std::string& what, const BodyHandler& on_body) {
        HttpResponse r = client_.get(url, kDicomJson, what + " request");
        if (r.status != 200) throw SourceError(kind_of(r.status), what + ": " + describe_status(r.status), r.status);
        std::string ctype = r.header("content-type");
        if (ctype.rfind("multipart/", 0) == 0) {
            // Some servers wrap the JSON in multipart/related even when asked for dicom+json.
            for (const auto& part : DicomwebSource::split_multipart(r.body, ctype)) {
                simdjson::padded_string padded(part);
                on_body(padded);
            }
            return;
        }
        on_body(simdjson::padded_string_view(r.body.data(), r.body.size(), r.body.capacity()));
    }

    std::string root_;
    long series_threshold_;
    long page_size_;
    HttpClient client_;
};

}  // namespace

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

std::vector<StudyRef> DicomwebSource::parse_qido_page(const std::string& body) {
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
        ref.study_uid = first_string(study, "0020000D");
        if (ref.study_uid.empty()) continue;
        ref.study_date = model::iso_date(first_string(study, "00080020"));
        std::string n = first_string(study, "00201208");
        if (!n.empty()) {
            try {
                ref.instances = std::stol(n);
            } catch (...) {
            }
        }
        out.push_back(std::move(ref));
    }
    return out;
}

namespace {

std::string hhmmss(int seconds) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d%02d%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    return buf;
}

// Modalities tried, one query each, when even a quarter of an hour of one day is truncated.
const char* const kSplitModalities[] = {"CT", "MR", "CR", "DX", "MG", "US", "NM", "PT", "XA", "RF", "SR",
                                        "OT", "IO", "PX", "ES", "SC", "RTIMAGE", "DOC", "KO", "PR", "SEG"};
constexpr int kMinTimeWindowSeconds = 15 * 60;

}  // namespace

std::vector<StudyRef> DicomwebSource::list_studies(const std::string& first_day, const std::string& last_day) {
    const std::string dates = first_day == last_day ? compact_date(first_day)
                                                    : compact_date(first_day) + "-" + compact_date(last_day);
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
    const std::string window = day + " " + hhmmss(from_s) + "-" + hhmmss(to_s);
    const std::string filter =
        "StudyDate=" + compact_date(day) + "&StudyTime=" + hhmmss(from_s) + "-" + hhmmss(to_s) + listing_filters();
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
        if (!options_.modalities.empty() && ("," + options_.modalities + ",").find(std::string(",") + modality + ",") ==
                                                std::string::npos)
            continue;  // not one of the modalities asked for
        std::string by_modality = "StudyDate=" + compact_date(day) + "&StudyTime=" + hhmmss(from_s) + "-" +
                                  hhmmss(to_s) + "&ModalitiesInStudy=" + modality;
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
    QueryOutcome out;
    std::set<std::string> seen;
    std::string previous_first;
    size_t first_page_size = 0;
    long offset = 0;  // advanced by what each page held: some servers send fewer than `limit`
    for (long page = 0; page < options_.max_pages; ++page) {
        std::string url = options_.root + "/studies?" + filter + "&limit=" + std::to_string(options_.page_size) +
                          "&offset=" + std::to_string(offset) + "&includefield=00201208";
        HttpResponse r = query_client_.get(url, kDicomJson, "QIDO-RS study query");
        if (r.status == 204) break;
        if (r.status != 200)
            throw SourceError(kind_of(r.status), "QIDO-RS study query (" + what + "): " + describe_status(r.status),
                              r.status);
        auto refs = parse_qido_page(r.body);
        // "Warning: 299 {host}: There are N additional results that can be requested" (dcm4chee):
        // the answer is cut at the server's cap.
        if (r.header("warning").find("299") != std::string::npos) out.truncated = true;
        if (refs.empty()) break;
        if (page == 0) first_page_size = refs.size();
        if (refs.front().study_uid == previous_first) {
            // The server ignores `offset`. The list is complete only if it all fit on one page.
            if (first_page_size >= static_cast<size_t>(options_.page_size)) out.truncated = true;
            spdlog::debug("the PACS ignores QIDO-RS `offset` ({})", what);
            break;
        }
        previous_first = refs.front().study_uid;
        offset += static_cast<long>(refs.size());
        for (auto& ref : refs) {
            // Orthanc lists a StudyInstanceUID once per patient it sits under: keep it once.
            if (seen.insert(ref.study_uid).second) out.refs.push_back(std::move(ref));
        }
        if (out.truncated) break;
    }
    return out;
}

std::unique_ptr<Session> DicomwebSource::open_session() { return std::make_unique<DicomwebSession>(options_); }

}  // namespace dicomlake::source::dicomweb
