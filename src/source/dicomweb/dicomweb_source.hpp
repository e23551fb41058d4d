// DICOMweb source: QIDO-RS to list studies, WADO-RS to fetch their metadata.
#pragma once

#include <string>

#include "source/dicomweb/http_client.hpp"
#include "source/source.hpp"

namespace dicomlake::source::dicomweb {

struct DicomwebOptions {
    std::string root;  // the DICOMweb root, e.g. http://pacs:8042/dicom-web
    std::string name = "dicomweb";  // what rows record as their source (pacs.name or the URL without credentials)
    HttpOptions http;
    long page_size = 100;  // QIDO-RS `limit`; always sent explicitly
    std::string modalities;         // listing filter: ModalitiesInStudy (comma-separated), or empty
    std::string study_description;  // listing filter: StudyDescription pattern, or empty
    long max_pages = 10000;
    long series_threshold = 0;  // studies with more instances are fetched series by series (0: never)
    int max_depth = 64;         // limits.max_depth: JSON nested deeper is refused before it is read
};

class DicomwebSource final : public Source {
public:
    explicit DicomwebSource(DicomwebOptions options);

    std::string name() const override { return options_.name; }
    void probe() override;
    std::vector<StudyRef> list_studies(const std::string& first_day, const std::string& last_day) override;
    std::vector<StudyRef> find_studies(const std::string& keyword, const std::string& value) override;
    std::unique_ptr<Session> open_session() override;

    // Parses one QIDO-RS page (application/dicom+json array) into refs; exposed for tests.
    // Entries without a StudyInstanceUID are skipped and counted in `without_uid`.
    static std::vector<StudyRef> parse_qido_page(const std::string& body, size_t* without_uid = nullptr);
    // The bodies of a multipart/related answer (RFC 2387), by the boundary of `content_type`.
    static std::vector<std::string> split_multipart(const std::string& body, const std::string& content_type);

private:
    struct QueryOutcome {
        std::vector<StudyRef> refs;
        bool truncated = false;  // Warning: 299, or a full page repeated for a new offset
    };
    // Paged QIDO-RS study query with `filter` ("StudyDate=20240101-20240107") until an empty
    // page; `what` names it in messages. A malformed page is retried, then throws.
    QueryOutcome query_studies(const std::string& filter, const std::string& what);
    std::string listing_filters() const;  // "&ModalitiesInStudy=...&StudyDescription=..." or ""
    // A truncated day, split by StudyTime halves down to 15 minutes, then by modality.
    std::vector<StudyRef> list_day_by_time(const std::string& day, int from_s, int to_s);
    DicomwebOptions options_;
    HttpClient query_client_;
};

// A worker's session (dicomweb_session.cpp).
std::unique_ptr<Session> make_session(const DicomwebOptions& options);

}  // namespace dicomlake::source::dicomweb
