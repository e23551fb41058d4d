// A worker's WADO-RS session: a study's metadata in one request, or series by series for large
// studies, and only from complete answers: a body cut short is retried, a series list that may
// be incomplete fails the study (it is retried by a later run) rather than loading part of it.
#include <optional>
#include <set>

#include "model/dicom_json.hpp"

#include "source/dicomweb/answers.hpp"
#include "source/dicomweb/dicomweb_source.hpp"

namespace dicomlake::source::dicomweb {

namespace {

class DicomwebSession final : public Session {
public:
    explicit DicomwebSession(const DicomwebOptions& options)
        : root_(trim_root(options.root)), options_(options), client_(options.http) {}

    void fetch_study(const StudyRef& study, const InstanceHandler& on_instance) override {
        const auto on_body = [&](const model::ParsedJson& body) {
            model::for_each_json_instance(body,
                                          [&](model::DatasetReader& dataset) { on_instance(dataset, InstanceMeta{}); });
        };
        // The UID goes into a URL path: anything but digits and dots could point elsewhere.
        if (!valid_uid(study.study_uid))
            throw SourceError(FailureKind::malformed,
                              "the PACS lists a StudyInstanceUID that is not a UID (1-64 digits and dots): the "
                              "study cannot be fetched; fix it on the PACS");
        if (options_.series_threshold > 0 && study.instances > options_.series_threshold) {
            // A large study: one series at a time, so memory follows the largest series.
            for (const auto& series_uid : list_series(study))
                fetch(root_ + "/studies/" + study.study_uid + "/series/" + series_uid + "/metadata",
                      "WADO-RS series metadata", on_body);
            return;
        }
        fetch(root_ + "/studies/" + study.study_uid + "/metadata", "WADO-RS study metadata", on_body);
    }

private:
    PagedList<std::string> query_series(const std::string& study_uid, const std::string& filter) {
        auto list = page_through<std::string>(
            client_, root_ + "/studies/" + study_uid + "/series" + filter, options_.page_size, options_.max_pages,
            "QIDO-RS series query", parse_series_page, [](const std::string& uid) { return uid; });
        std::set<std::string> seen;
        std::vector<std::string> unique;
        for (auto& uid : list.items)
            if (seen.insert(uid).second) unique.push_back(std::move(uid));
        list.items = std::move(unique);
        return list;
    }

    // Every series of the study, or SourceError(truncated) when the list cannot be known complete.
    std::vector<std::string> list_series(const StudyRef& study) {
        auto list = query_series(study.study_uid, "");
        if (list.truncated) list = list_series_by_modality(study);
        const long expected = study.series;
        if (expected >= 0 && static_cast<long>(list.items.size()) < expected)
            throw SourceError(FailureKind::truncated,
                              "the PACS lists " + std::to_string(list.items.size()) + " of the study's " +
                                  std::to_string(expected) +
                                  " series (NumberOfStudyRelatedSeries): the series list is incomplete");
        if (list.items.empty()) throw SourceError(FailureKind::not_found, "QIDO-RS lists no series for the study");
        return std::move(list.items);
    }

    // A truncated series list, asked again modality by modality. Only a count the PACS gives
    // (NumberOfStudyRelatedSeries) can say the pieces add up to the whole study.
    PagedList<std::string> list_series_by_modality(const StudyRef& study) {
        if (study.series < 0)
            throw SourceError(FailureKind::truncated,
                              "the PACS truncates the study's series list and does not say how many series the "
                              "study has: it cannot be listed completely (raise the PACS's result cap)");
        PagedList<std::string> all;
        std::set<std::string> seen;
        for (const char* modality : kSplitModalities) {
            auto part = query_series(study.study_uid, std::string("?Modality=") + modality);
            if (part.truncated)
                throw SourceError(FailureKind::truncated, std::string("the PACS truncates the study's series list even "
                                                                      "for modality ") +
                                                              modality + ": it cannot be listed completely");
            for (auto& uid : part.items)
                if (seen.insert(uid).second) all.items.push_back(std::move(uid));
        }
        return all;
    }

    // A body is parsed whole before any of it is walked (the parse is the check that it is
    // complete): a body cut short is fetched again.
    template <typename OnBody>
    void fetch(const std::string& url, const std::string& what, const OnBody& on_body) {
        std::vector<std::string> parts;
        std::optional<model::ParsedJson> parsed;
        HttpResponse r = client_.get(url, kDicomJson, what + " request", [&](const HttpResponse& resp) {
            std::string ctype = resp.header("content-type");
            if (ctype.rfind("multipart/", 0) != 0) {
                parsed = parse(simdjson::padded_string_view(resp.body.data(), resp.body.size(), resp.body.capacity()),
                               what);
                return;
            }
            // Some servers wrap the JSON in multipart/related even when asked for dicom+json.
            parts = DicomwebSource::split_multipart(resp.body, ctype);
            for (const auto& part : parts)
                if (!json_complete(part))
                    throw SourceError(FailureKind::malformed, what + ": a part of the multipart answer is not JSON");
        });
        if (r.status != 200) throw SourceError(kind_of(r.status), what + ": " + describe_status(r.status), r.status);
        client_.recycle(std::move(r.body));  // the parsed document holds its own copy of the strings
        if (parsed) {
            on_body(*parsed);
        } else {
            for (const auto& part : parts) {
                simdjson::padded_string padded(part);
                on_body(parse(padded, what));
            }
        }
        model::release_outsized_parser();
    }

    // Invalid JSON is what a body cut short looks like: SourceError(malformed) has it fetched again
    // (the same invalid answer twice ends the retries).
    model::ParsedJson parse(simdjson::padded_string_view body, const std::string& what) const {
        try {
            return model::parse_json_metadata(body, options_.max_depth);
        } catch (const model::MalformedJson& e) {
            throw SourceError(FailureKind::malformed, what + ": the answer is not valid JSON (cut short?): " + e.what());
        }
    }

    std::string root_;
    DicomwebOptions options_;
    HttpClient client_;
};

}  // namespace

std::unique_ptr<Session> make_session(const DicomwebOptions& options) {
    return std::make_unique<DicomwebSession>(options);
}

}  // namespace dicomlake::source::dicomweb
