#pragma once
// Text in the DICOM character sets that use ISO 2022 code extensions (PS3.3 C.12.1.1.2,
// PS3.5 6.1.2.5): escape sequences switch G0 and G1 between ASCII, JIS X 0201, JIS X 0208,
// JIS X 0212, KS X 1001, GB 2312 and the ISO 8859 parts.
//
// Debian's DCMTK converts text through glibc's iconv, which cannot convert the Japanese,
// Korean and Chinese multi-byte sets the way DICOM uses them ("ISO 2022 IR 87 is not supported
// by the utilized character set conversion library"). Those objects are real (Japanese
// modalities write person names and descriptions in ISO 2022 IR 87), so dicomlake decodes them
// itself: each run of one set is converted by ICU (EUC-JP, EUC-KR, GB2312, ISO-8859-n).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dicomlake::model {

// True when the Specific Character Set values name a multi-byte ISO 2022 set (IR 87, IR 159,
// IR 149, IR 58): the sets this decoder is for.
bool uses_iso2022_multibyte(const std::vector<std::string>& terms);

// The value in UTF-8, or nothing when it cannot be decoded (an escape sequence of a set the
// terms do not name, a code the active set does not define, a truncated double-byte
// character). A byte beyond ASCII while no G1 set is active is read as Latin-1, as for text
// without a Specific Character Set: vendors write a degree sign so in Japanese objects.
// `terms` are the Specific Character Set values (the first may be empty: the default
// repertoire). The initial sets are active at the start and again after every control
// character and value delimiter ('\', and '^' '=' when `person_name`), as PS3.5 6.1.2.5.3 asks
// the sender to switch back there.
std::optional<std::string> decode_iso2022(std::string_view value, const std::vector<std::string>& terms,
                                          bool person_name);

}  // namespace dicomlake::model
