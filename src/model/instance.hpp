// What the walk produces and what decides it: an instance's typed, de-identified attributes
// (Instance), the de-identification's hook (AttributeFilter) and the walk's bounds. Shared by
// every reader (model/reader.hpp) and every consumer (normalize, deid).
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/dictionary.hpp"

namespace dicomlake::model {

// One leaf attribute of one instance, typed by VR.
struct Attribute {
    std::string path;  // keyword path; private/unknown tags keep their hex form
    TagKey tag = 0;    // the leaf tag
    char vr[3] = {0, 0, 0};
    std::string json;  // typed JSON text: a scalar for one value, an array for several, null if empty
    double number = std::numeric_limits<double>::quiet_NaN();  // first value, when numeric
    std::string text;  // first value as text (dates/times in ISO form, PN's Alphabetic group)
    int depth = 0;     // sequence nesting depth (0 = top level)
    bool summary_only = false;  // from per-frame items beyond the first: for summaries, not jsonb

    bool has_number() const { return !std::isnan(number); }
};

struct Instance {
    std::vector<Attribute> attributes;
    int date_shift_days = 0;    // days the de-identification added to every date (0: none)
    std::string patient_key;    // keyed pseudonym of the patient (with issuer), or empty
    std::string accession_key;  // keyed pseudonym of the accession number, or empty
    bool pseudo_patient = false;  // no PatientID: patient_key and date shift are the study's own
    // Sampled series (pacs.instances_per_series): how many instances the series has on the
    // source; -1 when every instance is read.
    long series_instances_on_pacs = -1;
    const Attribute* find(std::string_view path) const;
};

// Values read from an instance before its walk starts, for rules that need them while the
// walk is under way (a per-patient date shift, descriptors cleaned of the patient's name).
// One entry per value (at most 64 per tag), keyed by tag, as text (PN: its component groups
// joined by '='); for a sequence tag, the text values (LO SH ST LT UT UC PN) of its items'
// attributes one level down. identity_value() gives the first. Never stored.
using InstanceIdentity = std::vector<std::pair<TagKey, std::string>>;

// Where an attribute sits: the tags of the enclosing sequences, outermost first, the private
// creator of its block (private attributes only), and the instance's identity values.
struct AttributeContext {
    const std::vector<TagKey>& parents;
    std::string_view private_creator;
    const InstanceIdentity* identity = nullptr;
    int depth() const { return static_cast<int>(parents.size()); }
    std::string_view identity_value(TagKey tag) const;
};

// What the walk does with an attribute. Implemented by the de-identification policy.
class AttributeFilter {
public:
    enum class Action {
        keep,
        drop,
        replace_uid,  // each value through replace_uid()
        shift_date,   // DA/DT values through shift_date()
        clean_text,   // each value through clean_text()
    };
    virtual ~AttributeFilter() = default;
    virtual Action decide(TagKey tag, std::string_view vr, const AttributeContext& ctx) const = 0;
    // For Action::replace_uid: the pseudonym of one UID value.
    virtual std::string replace_uid(std::string_view uid) const = 0;
    // For Action::shift_date: one ISO date ("2026-11-03") or date-time, shifted.
    virtual std::string shift_date(std::string_view iso, std::string_view vr, const AttributeContext& ctx) const {
        return std::string(iso);
    }
    // For Action::clean_text: one text value, cleaned.
    virtual std::string clean_text(std::string_view text, const AttributeContext& ctx) const {
        return std::string(text);
    }
    // Tags to read before the walk (see InstanceIdentity).
    virtual std::vector<TagKey> identity_tags() const { return {}; }
    // Called before each instance's walk with its identity; throws to refuse the instance
    // (e.g. no PatientID where dates must be shifted per patient).
    virtual void check_instance(const InstanceIdentity&) const {}
    // Called after each instance's walk: may append attributes (de-identification method...)
    // and set Instance::date_shift_days.
    virtual void finish_instance(Instance& instance, const AttributeContext& ctx) const {}
};

// Keeps everything (flattening tests, tools).
class KeepAllFilter final : public AttributeFilter {
public:
    Action decide(TagKey, std::string_view, const AttributeContext&) const override { return Action::keep; }
    std::string replace_uid(std::string_view uid) const override { return std::string(uid); }
};

// Malformed input (any reader: the name is historical): the message names the problem, never a
// value.
class MalformedJson : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Input beyond a configured bound: the message names the limit and the setting that raises it.
class LimitExceeded : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Defaults of the walk's bounds (settings limits.max_depth and limits.max_attributes).
inline constexpr int kDefaultMaxDepth = 64;            // real data nests about 10 sequences deep
inline constexpr long kDefaultMaxAttributes = 250000;  // a large RT structure set stays well below

struct WalkOptions {
    // Per-frame functional group items after the first only feed summaries (acquisition times):
    // a 500-frame enhanced series would otherwise carry 500 copies of every frame attribute.
    bool collapse_per_frame = true;
    // Bounds against a hostile PACS: sequence nesting (the walk recurses once per level) and
    // attributes emitted per instance. Beyond them the walk throws LimitExceeded.
    int max_depth = kDefaultMaxDepth;
    long max_attributes = kDefaultMaxAttributes;
};

// Value typing helpers, exposed for unit tests.
std::string iso_date(std::string_view da);   // "20261103" -> "2026-11-03" (unchanged when invalid)
std::string iso_time(std::string_view tm);   // "081500.25" -> "08:15:00.25"
std::string iso_datetime(std::string_view dt);  // "20261103081500+0100" -> "2026-11-03T08:15:00+01:00"
void append_json_string(std::string& out, std::string_view s);

}  // namespace dicomlake::model
