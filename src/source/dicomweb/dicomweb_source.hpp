// DICOMweb source: QIDO-RS to list studies, WADO-RS to fetch their metadata.
#pragma once

#include <string>

#include "source/dicomweb/http_client.hpp"
#include "source/source.hpp"

namespace dicomlake::source::dicomweb {

struct DicomwebOptions {
    std::string root;  // the DICOMweb root, e.g. http://pacs:8042/dicom-web
    HttpOptions http;
    long page_size = 100;  // QIDO-RS `limit`; always sent explicitly
    long max_pages = 10000;
};

class DicomwebSource final : public Source {
public:
    explicit DicomwebSource(DicomwebOptions options);

    std::string name() const override { return "dicomweb"; }
    void probe() override;
    std::vector<StudyRef> list_studies(const std::string& first_day, const std::string& last_day) override;
    std::unique_ptr<Session> open_session() override;

    // Parses one QIDO-RS page (application/dicom+json array) into refs; exposed for tests.
    static std::vector<StudyRef> parse_qido_page(const std::string& body);

private:
    DicomwebOptions options_;
    HttpClient query_client_;
};

}  // namespace dicomlake::source::dicomweb
