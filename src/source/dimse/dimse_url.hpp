// dicom://CALLED_AET@host:port: where a DIMSE PACS listens and the AE title it answers to.
#pragma once

#include <string>
#include <string_view>

namespace dicomlake::source::dimse {

struct DimseAddress {
    std::string called_aet;  // the PACS's AE title
    std::string host;        // name or IPv4; [IPv6] without the brackets
    int port = 104;
};

// Parses pacs.url; throws dicomlake::ConfigError naming what is wrong. The port defaults to
// 104; the AE title is required (1-16 printable ASCII characters, no backslash).
DimseAddress parse_dimse_url(std::string_view url);

// Whether `aet` can be an AE title (PS3.5: 16 characters of the default repertoire, no
// backslash, not only spaces).
bool valid_aet(std::string_view aet);

}  // namespace dicomlake::source::dimse
