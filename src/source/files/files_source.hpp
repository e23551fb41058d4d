// The local-files source (`dicomlake import PATH...`): Part 10 files (any extension, found
// recursively; DICOMDIR skipped) and DICOM JSON files (.json: one instance object or an array),
// grouped by StudyInstanceUID. Headers only: a Part 10 file is read up to PixelData, and bulk
// values are never read. Files that are not DICOM are counted and named in the scan, never fatal.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "source/files/scan.hpp"
#include "source/source.hpp"

namespace dicomlake::source::files {

class FilesSource final : public Source {
public:
    // `name`: what study rows record as their source ("" = derived from the first path).
    FilesSource(std::vector<std::string> paths, std::string name = {}, ScanOptions options = {});

    std::string name() const override { return name_; }
    // Checks that every path exists (ConfigError otherwise).
    void probe() override;
    // Scans on first use; studies with a StudyDate in the window.
    std::vector<StudyRef> list_studies(const std::string& first_day, const std::string& last_day) override;
    // Only by StudyInstanceUID: files are not indexed by anything else (SourceError otherwise).
    std::vector<StudyRef> find_studies(const std::string& keyword, const std::string& value) override;
    // Every study found under the paths, in StudyInstanceUID order (scans on first use).
    std::vector<StudyRef> list_all() override;
    std::unique_ptr<Session> open_session() override;

    // The scan (made on first use): files looked at, instances, files skipped and why.
    const Scan& scan();

private:
    std::vector<std::string> paths_;
    std::string name_;
    ScanOptions options_;
    std::once_flag scanned_;
    std::shared_ptr<const Scan> scan_;
};

}  // namespace dicomlake::source::files
