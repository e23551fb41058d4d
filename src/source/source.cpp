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

}  // namespace dicomlake::source
