#include "source/dicomweb/answers.hpp"

#include <cctype>

namespace dicomlake::source::dicomweb {

namespace {

constexpr long kMaxCount = 1000000000;  // no study holds a billion instances

}  // namespace

const char* const kSplitModalities[21] = {"CT", "MR", "CR", "DX", "MG", "US",  "NM",      "PT",  "XA", "RF", "SR",
                                          "OT", "IO", "PX", "ES", "SC", "RTIMAGE", "DOC", "KO", "PR", "SEG"};

bool modality_asked_for(const std::string& configured, const char* modality) {
    return configured.empty() || ("," + configured + ",").find(std::string(",") + modality + ",") != std::string::npos;
}

std::string trim_root(std::string root) {
    while (!root.empty() && root.back() == '/') root.pop_back();
    return root;
}

std::string describe_status(long status) {
    switch (status) {
        case 401: return "401 Unauthorized: the PACS refused the credentials";
        case 403: return "403 Forbidden: the PACS refused access for this user";
        case 404: return "404 Not Found";
        default: return "HTTP " + std::to_string(status);
    }
}

FailureKind kind_of(long status) {
    if (status == 401 || status == 403) return FailureKind::refused;
    if (status == 404) return FailureKind::not_found;
    if (status == 429) return FailureKind::throttled;
    if (status >= 500) return FailureKind::server_error;
    return FailureKind::other;
}

namespace {

const nlohmann::json* first_value(const nlohmann::json& entry, const char* tag) {
    auto it = entry.find(tag);
    if (it == entry.end() || !it->is_object()) return nullptr;
    auto v = it->find("Value");
    if (v == it->end() || !v->is_array() || v->empty()) return nullptr;
    return &(*v)[0];
}

}  // namespace

std::string first_string(const nlohmann::json& entry, const char* tag) {
    const nlohmann::json* first = first_value(entry, tag);
    if (first == nullptr) return {};
    if (first->is_string()) return first->get<std::string>();
    if (first->is_number_integer()) return std::to_string(first->get<long long>());
    return {};
}

long count_value(const nlohmann::json& entry, const char* tag) {
    const nlohmann::json* first = first_value(entry, tag);
    if (first == nullptr) return -1;
    long long n = -1;
    if (first->is_number_unsigned()) {
        n = first->get<unsigned long long>() > static_cast<unsigned long long>(kMaxCount) ? -1 : first->get<long long>();
    } else if (first->is_number_integer()) {
        n = first->get<long long>();
    } else if (first->is_string()) {
        std::string s = first->get<std::string>();
        while (!s.empty() && s.back() == ' ') s.pop_back();
        while (!s.empty() && s.front() == ' ') s.erase(0, 1);
        if (s.empty() || s.size() > 10) return -1;
        for (char c : s)
            if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
        n = std::stoll(s);
    }
    return n < 0 || n > kMaxCount ? -1 : static_cast<long>(n);
}

bool json_complete(std::string_view body) {
    long depth = 0;
    bool in_string = false, escaped = false, any = false;
    for (char c : body) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
            case '"': in_string = true; any = true; break;
            case '[':
            case '{': ++depth; any = true; break;
            case ']':
            case '}':
                if (--depth < 0) return false;
                break;
            case ' ': case '\t': case '\r': case '\n': break;
            default: any = true;
        }
    }
    return !in_string && depth == 0 && any;
}

std::vector<std::string> parse_series_page(const std::string& body) {
    std::vector<std::string> out;
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) return out;
    nlohmann::json page;
    try {
        page = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        throw SourceError(FailureKind::malformed,
                          "QIDO-RS series answer is not JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception&) {  // out_of_range: a number such as 1e400
        throw SourceError(FailureKind::malformed, "QIDO-RS series answer holds a number out of range");
    }
    if (!page.is_array()) throw SourceError(FailureKind::malformed, "QIDO-RS series answer is not a JSON array");
    for (const auto& series : page) {
        if (!series.is_object()) throw SourceError(FailureKind::malformed, "QIDO-RS series answer holds a non-object");
        std::string uid = first_string(series, "0020000E");
        // A series the list cannot name cannot be fetched: the list is unusable, not shorter.
        if (!valid_uid(uid))
            throw SourceError(FailureKind::malformed, uid.empty() ? "QIDO-RS series answer lists a series without a UID"
                                                                  : "QIDO-RS series answer lists a SeriesInstanceUID "
                                                                    "that is not a UID (1-64 digits and dots)");
        out.push_back(std::move(uid));
    }
    return out;
}

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '*' || c == '?' || c == ',') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

bool warns_truncation(const std::string& warning_header) { return warning_header.find("299") != std::string::npos; }

}  // namespace dicomlake::source::dicomweb
