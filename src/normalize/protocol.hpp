// Vendor-neutral protocol identity and acquisition time of a series, from physics rather than
// names ("Sag T2 FSE", "t2_tse_sag" and "T2W_TSE_SAG" are all SAG_T2).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace dicomlake::normalize {

struct ProtocolFacts {
    std::string modality, body_part, description;
    std::vector<std::string> image_type, scanning_sequence, sequence_variant;
    std::optional<std::array<double, 6>> orientation;  // ImageOrientationPatient (or Plane Orientation Sequence)
    std::optional<double> tr_ms, te_ms, ti_ms, echo_train_length, field_strength_t;
};

struct ProtocolIdentity {
    std::string protocol;  // e.g. SAG_T2, AX_T1, COR_STIR, LOCALIZER; empty when not MR or unknown
    bool localizer = false;
    bool derived = false;  // ImageType DERIVED: reformats, maps, not acquisitions
};

// Plane from the orientation cosines (normal = row x column: the largest component picks
// SAG/COR/AX), weighting from TR/TE/TI and the sequence (STIR: inversion with a short TI; FLAIR:
// a long TI; T1: short TR and TE; T2: long TR and TE; PD: long TR, short TE).
ProtocolIdentity classify_protocol(const ProtocolFacts& facts);

struct AcquisitionTimeFacts {
    std::optional<double> acquisition_duration_s;  // AcquisitionDuration (0018,9073), as written
    std::optional<double> span_s;                  // last - first acquisition of a multi-instance series
    std::optional<double> tr_ms, nex, echo_train_length, phase_steps, parallel_factor;
};

// Seconds and where they come from: "measured" (AcquisitionDuration), "span" (acquisition
// times), "modelled" (TR x phase steps x NEX / (ETL x parallel factor)), or none.
std::pair<std::optional<double>, std::string> acquisition_time(const AcquisitionTimeFacts& facts);

// "[0,1,0,0,0,-1]" or "\"A\"" / "[\"A\",\"B\"]" (the walk's typed JSON) into values.
std::vector<double> json_numbers(const std::string& json);
std::vector<std::string> json_strings(const std::string& json);

}  // namespace dicomlake::normalize
