// The scan of the files source: which files under the given paths hold DICOM instances, grouped
// by study. Only paths and UIDs are kept (never a dataset): a folder of a million files costs
// its path strings.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "source/source.hpp"

namespace dicomlake::source::files {

enum class FileKind { part10, json };

// One file holding instances of a study: a Part 10 file (one instance), or a DICOM JSON file
// and the positions of the study's instances in it (0 for a file holding one object).
struct InstanceFile {
    std::string path;
    FileKind kind = FileKind::part10;
    std::vector<std::size_t> positions;
};

struct StudyFiles {
    StudyRef ref;
    std::vector<InstanceFile> files;
};

// A file the scan could not use, and why (no value from the file: only what is wrong with it).
struct SkippedFile {
    std::string path;
    std::string why;
};

struct ScanOptions {
    std::size_t max_json_bytes = std::size_t(256) << 20;  // a .json file beyond this is skipped
    int max_depth = 64;  // sequence nesting a JSON file may have (limits.max_depth)
};

struct Scan {
    std::map<std::string, StudyFiles> studies;  // by StudyInstanceUID (memory only, never logged)
    long files = 0;                             // regular files looked at (DICOMDIR aside)
    long instances = 0;                         // instances kept
    long duplicates = 0;                        // instances whose SOPInstanceUID an earlier file had
    std::vector<SkippedFile> skipped;           // files that are not DICOM (or not usable)
};

// Scans files and folders (recursively, every extension; DICOMDIR files are skipped). Throws
// ConfigError when a path does not exist.
Scan scan_paths(const std::vector<std::string>& paths, const ScanOptions& options = {});

// "20261103" -> "2026-11-03"; "" for anything that is not 8 digits.
std::string iso_study_date(std::string da);

}  // namespace dicomlake::source::files
