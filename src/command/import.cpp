// `dicomlake import PATH...`: the studies of local files through the same pipeline as backfill
// (de-identification, ledger, skip of unchanged studies), then a summary that names the files
// that are not DICOM (by path: they are the user's own).
#include "command/command.hpp"
#include "command/extract_common.hpp"
#include "source/files/files_source.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <map>

namespace dicomlake::command {

namespace {

void print_scan(const source::files::Scan& scan) {
    std::printf("import: %ld file(s) read, %ld instance(s) in %zu stud(ies)", scan.files, scan.instances,
                scan.studies.size());
    if (scan.duplicates > 0) std::printf(", %ld copy(ies) of an instance already read left out", scan.duplicates);
    std::printf("\n");
    if (scan.skipped.empty()) return;
    std::printf("%zu file(s) not loaded (not DICOM, or not usable):\n", scan.skipped.size());
    for (const auto& s : scan.skipped) std::printf("  %s  (%s)\n", s.path.c_str(), s.why.c_str());
}

int dry_run(const source::files::Scan& scan) {
    std::map<std::string, long> per_day;
    for (const auto& [uid, study] : scan.studies)
        ++per_day[study.ref.study_date.empty() ? std::string("(no date)") : study.ref.study_date];
    std::printf("import --dry-run: studies found per StudyDate (nothing written)\n");
    for (const auto& [day, n] : per_day) std::printf("  %s  %6ld\n", day.c_str(), n);
    print_scan(scan);
    return 0;
}

}  // namespace

int import(const cli::Config& config, const std::vector<std::string>& paths, bool dry, bool force) {
    if (paths.empty()) throw ConfigError("import needs at least one file or folder");
    source::files::ScanOptions options;
    options.max_json_bytes = static_cast<std::size_t>(config.max_response_mb) << 20;
    options.max_depth = config.max_depth;
    source::files::FilesSource files(paths, {}, options);
    files.probe();
    const auto& scan = files.scan();
    if (dry) return dry_run(scan);
    if (scan.studies.empty()) {
        print_scan(scan);
        std::printf("nothing to load: no DICOM instance with a StudyInstanceUID was found\n");
        return 0;
    }
    pipeline::ExtractRequest request;
    request.command = "import";
    request.studies = files.list_all();
    request.retry_failed = false;  // an import loads what it is given
    request.force = force;
    int code = extract_and_report(config, request, &files);
    print_scan(scan);
    return code;
}

}  // namespace dicomlake::command
