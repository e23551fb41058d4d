#include "source/files/scan.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "model/dcmtk_reader.hpp"
#include "util/error.hpp"

namespace dicomlake::source::files {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    s.erase(0, std::min(s.find_first_not_of(' '), s.size()));
    return s;
}

// The identifiers the scan groups by, from one instance.
struct Ids {
    std::string study_uid, study_date, sop_uid;
};

class Scanner {
public:
    Scanner(const ScanOptions& options, Scan& scan) : options_(options), scan_(scan) {}

    void file(const fs::path& p) {
        if (lower(p.filename().string()) == "dicomdir") return;
        ++scan_.files;
        if (scan_.files % 1000 == 0) spdlog::info("scanned {} file(s), {} instance(s) so far", scan_.files, scan_.instances);
        if (lower(p.extension().string()) == ".json")
            json_file(p.string());
        else
            part10_file(p.string());
    }

private:
    void part10_file(const std::string& path) {
        auto file = model::read_part10_headers(path);
        if (!file) return skip(path, "not DICOM");
        DcmDataset& ds = *file->getDataset();
        Ids ids;
        OFString v;
        if (ds.findAndGetOFString(DCM_StudyInstanceUID, v).good()) ids.study_uid = trimmed(v.c_str());
        if (ds.findAndGetOFString(DCM_StudyDate, v).good()) ids.study_date = iso_study_date(v.c_str());
        if (ds.findAndGetOFString(DCM_SOPInstanceUID, v).good()) ids.sop_uid = trimmed(v.c_str());
        if (ids.study_uid.empty() && ids.sop_uid.empty() && !model::has_part10_preamble(path))
            return skip(path, "not DICOM");
        if (!valid_uid(ids.study_uid)) return skip(path, "DICOM without a valid StudyInstanceUID");
        if (add(ids)) scan_.studies[ids.study_uid].files.push_back({path, FileKind::part10, {0}});
    }

    static std::string first_string(const nlohmann::json& instance, const char* tag) {
        auto a = instance.find(tag);
        if (a == instance.end() || !a->is_object()) return {};
        auto value = a->find("Value");
        if (value == a->end() || !value->is_array() || value->empty() || !(*value)[0].is_string()) return {};
        return trimmed((*value)[0].get<std::string>());
    }

    void json_file(const std::string& path) {
        std::error_code ec;
        auto size = fs::file_size(path, ec);
        if (ec) return skip(path, "unreadable");
        if (size > options_.max_json_bytes) return skip(path, "a JSON file larger than the limit (max-response-mb)");
        std::ifstream in(path, std::ios::binary);
        nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
        if (doc.is_discarded()) return skip(path, "not JSON");
        if (doc.is_object()) doc = nlohmann::json::array({std::move(doc)});
        if (!doc.is_array()) return skip(path, "JSON that is not DICOM JSON (an instance object or an array of them)");
        std::map<std::string, std::vector<std::size_t>> positions;  // by study
        for (std::size_t i = 0; i < doc.size(); ++i) {
            if (!doc[i].is_object()) return skip(path, "JSON that is not DICOM JSON (an array of non-objects)");
            Ids ids{first_string(doc[i], "0020000D"), iso_study_date(first_string(doc[i], "00080020")),
                    first_string(doc[i], "00080018")};
            if (!valid_uid(ids.study_uid)) return skip(path, "DICOM JSON without a valid StudyInstanceUID");
            if (add(ids)) positions[ids.study_uid].push_back(i);
        }
        for (auto& [uid, pos] : positions) scan_.studies[uid].files.push_back({path, FileKind::json, std::move(pos)});
    }

    // Counts an instance under its study; false for a SOPInstanceUID seen before (a copy).
    bool add(const Ids& ids) {
        if (!ids.sop_uid.empty() && !sops_.insert(ids.sop_uid).second) {
            ++scan_.duplicates;
            return false;
        }
        auto& study = scan_.studies[ids.study_uid];
        if (study.ref.study_uid.empty()) {
            study.ref.study_uid = ids.study_uid;
            study.ref.instances = 0;
        }
        if (study.ref.study_date.empty()) study.ref.study_date = ids.study_date;
        ++study.ref.instances;
        ++scan_.instances;
        return true;
    }

    void skip(const std::string& path, const char* why) { scan_.skipped.push_back({path, why}); }

    const ScanOptions& options_;
    Scan& scan_;
    std::set<std::string> sops_;
};

}  // namespace

std::string iso_study_date(std::string da) {
    da = trimmed(std::move(da));
    if (da.size() != 8 || !std::all_of(da.begin(), da.end(), [](unsigned char c) { return std::isdigit(c); }))
        return {};
    return da.substr(0, 4) + "-" + da.substr(4, 2) + "-" + da.substr(6, 2);
}

Scan scan_paths(const std::vector<std::string>& paths, const ScanOptions& options) {
    Scan scan;
    Scanner scanner(options, scan);
    for (const auto& root : paths) {
        std::error_code ec;
        auto status = fs::status(root, ec);
        if (ec || !fs::exists(status)) throw ConfigError("'" + root + "' does not exist (import takes files and folders)");
        if (fs::is_regular_file(status)) {
            scanner.file(root);
            continue;
        }
        // Sorted per folder, so the order of files (and of duplicates kept) does not depend on
        // the file system.
        std::vector<fs::path> files;
        for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec)) files.push_back(it->path());
        if (ec) throw ConfigError("cannot read the folder '" + root + "': " + ec.message());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) scanner.file(f);
    }
    return scan;
}

}  // namespace dicomlake::source::files
