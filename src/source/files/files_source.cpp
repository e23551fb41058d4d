#include "source/files/files_source.hpp"

#include <filesystem>

#include "source/files/files_session.hpp"
#include "util/error.hpp"

namespace dicomlake::source::files {

namespace {

std::string default_name(const std::vector<std::string>& paths) {
    if (paths.empty()) return "files:";
    std::error_code ec;
    auto abs = std::filesystem::absolute(paths.front(), ec).lexically_normal();
    return source_name_from_url("file:" + (ec ? paths.front() : abs.string()));
}

}  // namespace

FilesSource::FilesSource(std::vector<std::string> paths, std::string name, ScanOptions options)
    : paths_(std::move(paths)), name_(name.empty() ? default_name(paths_) : std::move(name)), options_(options) {}

void FilesSource::probe() {
    for (const auto& p : paths_) {
        std::error_code ec;
        if (!std::filesystem::exists(p, ec))
            throw ConfigError("'" + p + "' does not exist (import takes files and folders)");
    }
}

const Scan& FilesSource::scan() {
    std::call_once(scanned_, [&] { scan_ = std::make_shared<const Scan>(scan_paths(paths_, options_)); });
    return *scan_;
}

std::vector<StudyRef> FilesSource::list_all() {
    std::vector<StudyRef> out;
    for (const auto& [uid, study] : scan().studies) out.push_back(study.ref);
    return out;
}

std::vector<StudyRef> FilesSource::list_studies(const std::string& first_day, const std::string& last_day) {
    std::vector<StudyRef> out;
    for (const auto& [uid, study] : scan().studies)
        if (!study.ref.study_date.empty() && study.ref.study_date >= first_day && study.ref.study_date <= last_day)
            out.push_back(study.ref);
    return out;
}

std::vector<StudyRef> FilesSource::find_studies(const std::string& keyword, const std::string& value) {
    if (keyword != "StudyInstanceUID")
        throw SourceError(FailureKind::other, "the files source finds studies by StudyInstanceUID only");
    auto it = scan().studies.find(value);
    if (it == scan().studies.end()) return {};
    return {it->second.ref};
}

std::unique_ptr<Session> FilesSource::open_session() {
    scan();
    return std::make_unique<FilesSession>(scan_, options_.max_depth);
}

}  // namespace dicomlake::source::files
