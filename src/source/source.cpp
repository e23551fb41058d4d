#include "source/source.hpp"

namespace dicomlake::source {

bool valid_uid(std::string_view uid) {
    if (uid.empty() || uid.size() > 64) return false;
    for (char c : uid)
        if ((c < '0' || c > '9') && c != '.') return false;
    return true;
}

const char* to_string(FailureKind k) {
    switch (k) {
        case FailureKind::unreachable: return "unreachable";
        case FailureKind::refused: return "refused";
        case FailureKind::not_found: return "not_found";
        case FailureKind::throttled: return "throttled";
        case FailureKind::server_error: return "server_error";
        case FailureKind::timeout: return "timeout";
        case FailureKind::malformed: return "malformed";
        case FailureKind::truncated: return "truncated";
        case FailureKind::limit: return "limit";
        case FailureKind::other: return "other";
    }
    return "other";
}

std::vector<StudyRef> Source::list_all() {
    throw SourceError(FailureKind::other, "this source cannot list every study it holds: give a date window");
}

std::string source_name_from_url(std::string_view url) {
    std::string_view scheme;
    if (auto colon = url.find("://"); colon != std::string_view::npos) {
        scheme = url.substr(0, colon);
        url.remove_prefix(colon + 3);
    } else if (url.rfind("file:", 0) == 0) {
        scheme = "file";
        url.remove_prefix(5);
    }
    if (auto cut = url.find_first_of("?#"); cut != std::string_view::npos) url = url.substr(0, cut);
    std::string kind = scheme == "http" || scheme == "https" ? "dicomweb"
                       : scheme == "dicom"                   ? "dicom"
                       : scheme.empty() || scheme == "file"  ? "files"
                                                             : std::string(scheme);
    if (kind != "files") {
        // user:password@ (DICOMweb) is dropped; CALLED_AET@ (DIMSE) is the PACS's own name, kept.
        auto slash = url.find('/');
        auto at = url.substr(0, slash).rfind('@');
        if (at != std::string_view::npos && kind == "dicomweb") url.remove_prefix(at + 1);
    }
    while (url.size() > 1 && url.back() == '/') url.remove_suffix(1);
    return kind + ":" + std::string(url);
}

}  // namespace dicomlake::source
