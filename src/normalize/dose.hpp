// Dose from X-Ray Radiation Dose Structured Reports (PS3.16 TID 10001 projection X-ray, TID 10011
// CT), read from one flattened instance (model::Instance): the content tree is rebuilt from the
// keyword paths (".ContentSequence[i]." marks a content item), and the dose concepts are found by
// their codes, whatever the SOP class (RDSR, Enhanced or Comprehensive SR) or the value types.
// Real reports break the SR rules (units "mGycm", empty MeasuredValueSequence, missing
// ConceptCodeSequence, unknown value types): what can be read is returned, nothing throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/instance.hpp"

namespace dicomlake::normalize {

// One irradiation event: a CT Acquisition (113819) or an Irradiation Event X-Ray Data (113706)
// container, values from its whole subtree (the first of each concept).
struct DoseEvent {
    std::string event_uid;                  // IrradiationEventUID (113769) UIDREF value (already pseudonymized by the walk)
    std::string kind;                       // "CT" (TID 10011 CT Acquisition 113819) or "PROJECTION" (TID 10001 Irradiation Event X-Ray Data 113706)
    std::optional<double> ctdivol_mgy;      // Mean CTDIvol 113830, in mGy
    std::optional<double> dlp_mgycm;        // DLP 113838, in mGy.cm
    std::string phantom;                    // CTDIw Phantom Type 113835: CodeMeaning
    std::string target_region;              // Target Region 123014: CodeMeaning
    std::string acquisition_type;           // CT Acquisition Type 113820: CodeMeaning
    std::optional<double> dap_gym2;         // Dose Area Product 122130, in Gy.m2
    std::optional<double> dose_rp_gy;       // Dose (RP) 113738, in Gy
    std::optional<double> agd_mgy;          // Average Glandular Dose 111631, in mGy
    std::optional<double> compression_thickness_mm;  // 111633, in mm
    std::string irradiation_event_type;     // Irradiation Event Type 113721: CodeMeaning (projection: Fluoroscopy, Stationary Acquisition...)
};

struct DoseReport {
    std::string template_id;                      // "10011" (CT) or "10001" (projection X-ray), from the root concept / content
    // Totals, from outside the events. Several accumulation containers (a biplane room's
    // Plane A and Plane B, each a 113702) are summed.
    std::optional<double> dlp_total_mgycm;        // CT Dose Length Product Total 113813 (in CT Accumulated Dose Data 113811)
    std::optional<double> dap_total_gym2;         // Dose Area Product Total 113722
    std::optional<double> dose_rp_total_gy;       // Dose (RP) Total 113725
    std::vector<DoseEvent> events;                // in document order
};

// The dose report held by one instance, or nullopt when it is not an X-Ray Radiation Dose report
// (root concept 113701 "X-Ray Radiation Dose Report", any spelling of its meaning; also when
// carried in Enhanced/Comprehensive SR; identified by concept codes, not by SOP class).
// A numeric value whose unit is absent is taken in the unit the template prescribes; one whose
// unit is present but not convertible (or whose value is not a finite number) is nullopt.
std::optional<DoseReport> extract_dose_report(const model::Instance& instance);

// Unit normalisation (exposed for tests): `value` in `unit` (UCUM CodeValue as written: "mGy.cm",
// "mGycm", "mGy", "Gy", "dGy", "Gy.m2", "Gym2", "dGy.cm2", "mGy.cm2", "uGy.m2", "cGy.cm2", "mm",
// "cm"...) converted to `target` ("mGy.cm", "mGy", "Gy", "Gy.m2", "mm"); nullopt when the two
// are not the same kind of quantity or either is not understood. Units are read as
// [prefix]Gy, optionally times [prefix]m with exponent 1 or 2 (separator '.', '*', ' ' or none;
// exponent "2", "^2" or "²"), or a plain length [prefix]m; prefixes u/µ, m, c, d, k.
std::optional<double> convert_unit(double value, const std::string& unit, const std::string& target);

}  // namespace dicomlake::normalize
