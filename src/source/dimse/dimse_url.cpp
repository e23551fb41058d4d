#include "source/dimse/dimse_url.hpp"

#include "util/error.hpp"

namespace dicomlake::source::dimse {

bool valid_aet(std::string_view aet) {
    if (aet.empty() || aet.size() > 16 || aet.find_first_not_of(' ') == std::string_view::npos) return false;
    for (char c : aet)
        if (c < 0x20 || c > 0x7e || c == '\\') return false;
    return true;
}

DimseAddress parse_dimse_url(std::string_view url) {
    constexpr std::string_view scheme = "dicom://";
    const std::string form = " (expected dicom://CALLED_AET@host:port, e.g. dicom://PACS@10.0.0.5:104)";
    if (url.substr(0, scheme.size()) != scheme) throw ConfigError("pacs-url does not start with dicom://" + form);
    url.remove_prefix(scheme.size());
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    if (url.find_first_of("/?#") != std::string_view::npos)
        throw ConfigError("pacs-url: a DIMSE address has no path, query or fragment" + form);
    auto at = url.rfind('@');
    if (at == std::string_view::npos) throw ConfigError("pacs-url names no called AE title" + form);
    DimseAddress a;
    a.called_aet = std::string(url.substr(0, at));
    if (!valid_aet(a.called_aet))
        throw ConfigError("pacs-url: the called AE title must be 1 to 16 printable ASCII characters, no backslash" +
                          form);
    std::string_view hostport = url.substr(at + 1);
    std::string_view port;
    if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
        auto close = hostport.find(']');
        if (close == std::string_view::npos) throw ConfigError("pacs-url: an IPv6 address without its ]" + form);
        a.host = std::string(hostport.substr(1, close - 1));
        hostport.remove_prefix(close + 1);
        if (!hostport.empty()) {
            if (hostport.front() != ':') throw ConfigError("pacs-url: unexpected text after the IPv6 address" + form);
            port = hostport.substr(1);
        }
    } else {
        auto colon = hostport.find(':');
        a.host = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
    }
    if (a.host.empty()) throw ConfigError("pacs-url names no host" + form);
    if (hostport.find(':') != std::string_view::npos || !port.empty()) {
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
            throw ConfigError("pacs-url: the port must be a number from 1 to 65535" + form);
        a.port = std::stoi(std::string(port));
        if (a.port < 1 || a.port > 65535) throw ConfigError("pacs-url: the port must be a number from 1 to 65535" + form);
    }
    return a;
}

}  // namespace dicomlake::source::dimse
