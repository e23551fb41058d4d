// Keyword names for DICOM tags: the only place that talks to DCMTK's data dictionary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dicomlake::model {

// 0xGGGGEEEE
using TagKey = std::uint32_t;

inline constexpr std::uint16_t tag_group(TagKey t) { return static_cast<std::uint16_t>(t >> 16); }
inline constexpr std::uint16_t tag_element(TagKey t) { return static_cast<std::uint16_t>(t & 0xFFFF); }
inline constexpr bool is_private(TagKey t) { return (tag_group(t) & 1) != 0; }

// Parses the 8-hex-digit key of the DICOM JSON model ("00180083"); false when malformed.
bool parse_tag(std::string_view hex, TagKey& out);

// "GGGGEEEE" in upper-case hex, the form unknown and private tags keep.
std::string tag_hex(TagKey t);

// The PS3.6 keyword (e.g. "NumberOfAverages") from DCMTK's dictionary, or the hex form for
// private and unknown tags. Thread-safe; results are cached, so repeated calls are cheap.
const std::string& keyword_for(TagKey t);

// The dictionary VR of a public tag ("DS", "SQ"...), or "" when unknown.
std::string dictionary_vr(TagKey t);

}  // namespace dicomlake::model
