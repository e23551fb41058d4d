// Instances -> one row per series (the contract between transform and load), plus one row per
// study. Everything here is already de-identified: keys are pseudonyms.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/instance.hpp"
#include "normalize/dose.hpp"

namespace dicomlake::normalize {

struct SeriesRow {
    std::string study_key;   // pseudonymized StudyInstanceUID
    std::string series_key;  // pseudonymized SeriesInstanceUID
    std::string modality, manufacturer, model, device_serial, station, institution;
    std::string series_description, protocol_name, body_part, sop_class_uid, image_type;
    std::optional<long> series_number;
    std::string series_date, series_time;  // ISO, or empty
    // Acquisition parameters from the series' reference instance (lowest InstanceNumber);
    // enhanced multi-frame objects read them from the shared, then the first per-frame group.
    std::optional<double> nex, tr_ms, te_ms, ti_ms, echo_train_length, flip_angle, slice_thickness_mm,
        field_strength_t;
    std::optional<double> ctdivol_mgy;  // mean over the instances that carry one
    long instances = 0;
    std::optional<long> instances_on_pacs;  // sampled series: instances on the source (instances: read)
    std::string first_acquired, last_acquired;  // ISO timestamps, or empty
    std::string protocol_derived;      // vendor-neutral protocol from physics (SAG_T2...), or empty
    bool localizer = false, derived = false;
    std::optional<double> acquisition_s;  // acquisition time of the series
    std::string acquisition_source;       // measured | span | modelled | empty
    std::string attributes_json;                // {"keyword.path": value} of series-level attributes
    std::vector<std::string> varying;           // keyword paths whose value differs across instances
};

struct StudyRow {
    std::string study_key;
    std::string study_date, study_time, study_description;  // ISO date/time, or empty
    std::vector<std::string> modalities;                     // distinct, sorted
    std::string institution;
    std::string patient_age, patient_sex;
    std::optional<double> patient_size_m, patient_weight_kg;
    long series_count = 0, instance_count = 0;
    std::string first_acquired, last_acquired;
    std::string patient_key, accession_key;  // keyed pseudonyms, or empty
    bool pseudo_patient = false;  // no PatientID: patient_key is the study's own pseudo-patient
    std::string content_hash;  // SHA-256 over the study's rows: unchanged studies are skipped
};

// Scanner activity of one study on one device, in real (unshifted) time: utilization facts
// that carry no patient or study key.
struct ActivityRow {
    std::string device_serial, manufacturer, model, station;
    std::vector<std::string> modalities;
    std::string acquired_day;                   // ISO date of first_acquired
    std::string first_acquired, last_acquired;  // real timestamps
    long series_count = 0, instances = 0;
    // What the study adds to the weekly trends: MR series with a NEX (not localizers, not
    // derived) and their NEX sum; the CT dose total (DLP of a TID 10011 dose report), put on the
    // study's CT device.
    long mr_series = 0;
    double nex_sum = 0;
    std::optional<double> ct_dlp_mgycm;
};

// The dose of a study: from its dose reports (cumulative reports merged by Irradiation Event
// UID), else from CT image headers (CTDIvol only).
struct StudyDose {
    std::string source;       // "RDSR" or "IMAGE_HEADER"
    std::string template_id;  // "10011" CT, "10001" projection X-ray
    std::optional<double> dlp_total_mgycm, ctdivol_max_mgy, dap_total_gym2, dose_rp_total_gy;
    std::vector<DoseEvent> events;  // unique by event UID, in report order
};

struct StudyResult {
    StudyRow study;
    std::vector<SeriesRow> series;  // sorted by series_key
    std::vector<ActivityRow> activity;  // one per device, sorted by device_serial
    std::string activity_key;           // keyed hash of study_key (set by the pipeline)
    std::string sealed_day;             // the real StudyDate, sealed (set by the pipeline), or empty
    std::optional<StudyDose> dose;
};

class StudyAccumulator {
public:
    StudyAccumulator();
    ~StudyAccumulator();
    StudyAccumulator(StudyAccumulator&&) noexcept;
    StudyAccumulator& operator=(StudyAccumulator&&) noexcept;

    // Adds one de-identified instance. Instances may come in any order, from any number of
    // WADO-RS responses (study- or series-level).
    void add(const model::Instance& instance);
    long instances() const;

    // The rows; throws std::runtime_error when no usable instance was added.
    StudyResult finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Timestamp ("YYYY-MM-DDTHH:MM:SS[.f]") of an instance's acquisition, or empty.
std::string acquisition_timestamp(const model::Instance& instance);

// Seconds from timestamp `a` to `b` (ISO), or nullopt.
std::optional<double> seconds_between(const std::string& a, const std::string& b);

// `timestamp` with `days` added to its date part (unchanged when it has no valid date).
std::string add_days_to_timestamp(const std::string& timestamp, int days);

}  // namespace dicomlake::normalize
