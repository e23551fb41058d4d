#include "source/source.hpp"

namespace dicomlake::source {

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
        case FailureKind::other: return "other";
    }
    return "other";
}

}  // namespace dicomlake::source
