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

// The dictionary VR of a public tag ("DS", "SQ"...), or "" for private tags and public tags
// DCMTK's dictionary does not know. Cached like keyword_for.
const std::string& dictionary_vr(TagKey t);

// The public tag of a PS3.6 keyword ("SequenceName" -> 0x00180024), or 0 when unknown.
TagKey tag_for_keyword(std::string_view keyword);

// The VR a value is read, typed and ruled by, from the dictionary's VR and the VR the sender
// wrote; "" when the value must not be stored. The one arbitration every reader (DICOM JSON,
// DICOM datasets) goes through, so the sender never picks a laxer rule than the tag's own:
// when the two disagree the riskier kind wins, in this order: PN (a person's name) > UI (a
// UID, pseudonymized) > DA/DT (a date, shifted or dropped) > free text (LO SH ST LT UT UC UR
// AE) > TM > coded and numeric values (CS AS AT DS IS FL FD SL SS UL US SV UV) > binary. On a
// tie the dictionary's VR wins. A value the sender wrote as binary (UN, OB...) stays binary,
// which no reader stores. A sequence where the dictionary says otherwise (or the reverse) is
// not stored: its items cannot be read as values. Private and unknown tags keep the sender's
// VR (their rules do not depend on it).
std::string_view value_vr(TagKey t, std::string_view sender_vr);
// The same, given the dictionary VR ("" = unknown), for callers that already have it.
std::string_view value_vr(std::string_view dictionary, std::string_view sender_vr);

}  // namespace dicomlake::model
