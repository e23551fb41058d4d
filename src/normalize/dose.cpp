#include "normalize/dose.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace dicomlake::normalize {

namespace {

// ---------------------------------------------------------------------------------------------
// Units

// A unit as scale x Gy^gy x m^m (scale to the SI unit).
struct Dimension {
    double scale = 1;
    int gy = 0;
    int m = 0;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\0')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\0')) s.remove_suffix(1);
    return s;
}

bool consume(std::string_view& s, std::string_view prefix) {
    if (s.substr(0, prefix.size()) != prefix) return false;
    s.remove_prefix(prefix.size());
    return true;
}

// A metric prefix at the start of `s` (consumed), as a factor; 1 when none.
std::optional<double> metric_prefix(std::string_view& s) {
    if (consume(s, "\xC2\xB5") || consume(s, "\xCE\xBC")) return 1e-6;  // micro sign, Greek mu
    if (s.empty()) return 1.0;
    switch (s.front()) {
        case 'u': s.remove_prefix(1); return 1e-6;
        case 'n': s.remove_prefix(1); return 1e-9;
        case 'm': s.remove_prefix(1); return 1e-3;
        case 'c': s.remove_prefix(1); return 1e-2;
        case 'd': s.remove_prefix(1); return 1e-1;
        case 'k': s.remove_prefix(1); return 1e3;
        default: return 1.0;
    }
}

// "[prefix]m[2|^2|²]" filling `d`; the whole of `s` must be used.
bool parse_length(std::string_view s, Dimension& d) {
    if (s.empty()) return false;
    double factor = 1;
    if (s.front() != 'm' || (s.size() > 1 && s[1] == 'm')) {  // "m" alone is the metre; "mm" a prefix
        auto p = metric_prefix(s);
        if (!p) return false;
        factor = *p;
    }
    if (!consume(s, "m")) return false;
    int exponent = 1;
    if (consume(s, "2") || consume(s, "^2") || consume(s, "\xC2\xB2")) exponent = 2;
    if (!s.empty()) return false;
    d.m += exponent;
    d.scale *= exponent == 2 ? factor * factor : factor;
    return true;
}

std::optional<Dimension> parse_unit(std::string_view unit) {
    std::string_view s = trim(unit);
    if (s.empty()) return std::nullopt;
    Dimension d;
    // The gray: find "Gy" (or "GY", "gy"); what precedes it is its prefix.
    size_t gy = std::string_view::npos;
    for (std::string_view name : {"Gy", "GY", "gy"}) {
        gy = s.find(name);
        if (gy != std::string_view::npos) break;
    }
    if (gy == std::string_view::npos) {
        if (!parse_length(s, d)) return std::nullopt;
        return d;
    }
    std::string_view prefix = s.substr(0, gy);
    if (!prefix.empty()) {
        auto p = metric_prefix(prefix);
        if (!p || !prefix.empty()) return std::nullopt;
        d.scale = *p;
    }
    d.gy = 1;
    std::string_view rest = s.substr(gy + 2);
    // A separator between the gray and the length: '.', '*', '·', 'x', space, or none.
    while (!rest.empty()) {
        if (rest.front() == '.' || rest.front() == '*' || rest.front() == ' ' || rest.front() == 'x')
            rest.remove_prefix(1);
        else if (!consume(rest, "\xC2\xB7"))
            break;
    }
    if (rest.empty()) return d;
    if (!parse_length(rest, d)) return std::nullopt;
    return d;
}

// ---------------------------------------------------------------------------------------------
// The content tree, rebuilt from the flattened keyword paths

struct Code {
    std::string value, scheme, meaning;
};

struct Item {
    long index = -1;  // position among its siblings
    Code concept_name;  // the value type is not needed: concepts are recognised by their codes
    std::optional<double> numeric;          // MeasuredValueSequence[0].NumericValue (first value)
    std::optional<double> floating;         // MeasuredValueSequence[0].FloatingPointValue
    std::string unit_value, unit_meaning;   // MeasurementUnitsCodeSequence[0]
    Code concept_code;                      // ConceptCodeSequence[0]
    std::string uid;                        // UID (UIDREF)
    std::string template_id;                // ContentTemplateSequence[0].TemplateIdentifier
    std::vector<size_t> children;
};

std::string normalized_meaning(std::string_view s) {
    std::string out;
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (std::isalnum(u)) out += static_cast<char>(std::tolower(u));
    }
    return out;
}

// The concepts read here, with their meaning (normalized) as a fallback for codes written wrongly.
enum Concept {
    kReport, kCtAccumulated, kAccumulated, kCtAcquisition, kProjectionEvent, kEventUid, kCtdivol,
    kDlp, kPhantom, kTargetRegion, kCtAcquisitionType, kDap, kDoseRp, kAgd, kThickness,
    kEventType, kDlpTotal, kDapTotal, kDoseRpTotal, kProcedureReported, kConceptCount
};
struct ConceptDef {
    const char* code;
    const char* meaning;  // normalized: lower case letters and digits only
};
constexpr ConceptDef kConcepts[kConceptCount] = {
    {"113701", "xrayradiationdosereport"},
    {"113811", "ctaccumulateddosedata"},
    {"113702", "accumulatedxraydosedata"},
    {"113819", "ctacquisition"},
    {"113706", "irradiationeventxraydata"},
    {"113769", "irradiationeventuid"},
    {"113830", "meanctdivol"},
    {"113838", "dlp"},
    {"113835", "ctdiwphantomtype"},
    {"123014", "targetregion"},
    {"113820", "ctacquisitiontype"},
    {"122130", "doseareaproduct"},
    {"113738", "doserp"},
    {"111631", "averageglandulardose"},
    {"111633", "compressionthickness"},
    {"113721", "irradiationeventtype"},
    {"113813", "ctdoselengthproducttotal"},
    {"113722", "doseareaproducttotal"},
    {"113725", "doserptotal"},
    {"121058", "procedurereported"},
};

class Tree {
public:
    explicit Tree(const model::Instance& instance) {
        items_.emplace_back();  // the root: the document's own attributes
        items_.front().index = 0;
        index_.emplace("", 0);
        for (const auto& a : instance.attributes) add(a);
        for (auto& item : items_)
            std::stable_sort(item.children.begin(), item.children.end(),
                             [this](size_t x, size_t y) { return items_[x].index < items_[y].index; });
        concepts_.resize(items_.size());
        for (size_t i = 0; i < items_.size(); ++i) concepts_[i] = classify(items_[i].concept_name);
    }

    const Item& item(size_t i) const { return items_[i]; }
    int concept_of(size_t i) const { return concepts_[i]; }
    size_t size() const { return items_.size(); }

private:
    static int classify(const Code& code) {
        const std::string value(trim(code.value));
        const std::string scheme(trim(code.scheme));
        // Our codes are DCM codes; the same digits under SNOMED, LOINC or UCUM are something else.
        const bool foreign = scheme == "SCT" || scheme == "SRT" || scheme == "SNM3" || scheme == "LN" ||
                             scheme == "UCUM";
        if (!value.empty() && !foreign)
            for (int c = 0; c < kConceptCount; ++c)
                if (value == kConcepts[c].code) return c;
        // A proper DCM code that is not one of ours is authoritative; otherwise (no code, another
        // scheme) the meaning decides.
        if (!value.empty() && scheme == "DCM") return -1;
        const std::string meaning = normalized_meaning(code.meaning);
        if (meaning.empty()) return -1;
        for (int c = 0; c < kConceptCount; ++c)
            if (meaning == kConcepts[c].meaning) return c;
        return -1;
    }

    // The item that holds `prefix` ("" or "...ContentSequence[i]."), created with its ancestors.
    size_t node(const std::string& prefix) {
        auto found = index_.find(prefix);
        if (found != index_.end()) return found->second;
        // The parent: the prefix up to the previous content item segment.
        const std::string_view body(prefix.data(), prefix.size() - 1);  // without the final '.'
        const size_t open = body.rfind('[');
        long index = -1;
        if (open != std::string_view::npos) {
            std::string_view digits = body.substr(open + 1, body.size() - open - 2);
            long v = 0;
            auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
            if (res.ec == std::errc() && res.ptr == digits.data() + digits.size()) index = v;
        }
        const size_t segment = last_content_segment(body.substr(0, open == std::string_view::npos ? 0 : open));
        std::string parent_prefix;
        if (segment != std::string_view::npos) {
            // prefix up to and including the "]." that closes the previous content segment
            const size_t close = body.find("].", segment);
            if (close != std::string_view::npos) parent_prefix = prefix.substr(0, close + 2);
        }
        const size_t parent = node(parent_prefix);
        const size_t id = items_.size();
        items_.emplace_back();
        items_.back().index = index;
        items_[parent].children.push_back(id);
        index_.emplace(prefix, id);
        return id;
    }

    // The start of the last "ContentSequence[" segment of `path` (at its start or after a '.').
    static size_t last_content_segment(std::string_view path) {
        static constexpr std::string_view kSeg = "ContentSequence[";
        size_t pos = path.size();
        while (pos > 0) {
            const size_t at = path.rfind(kSeg, pos - 1);
            if (at == std::string_view::npos) return std::string_view::npos;
            if (at == 0 || path[at - 1] == '.') return at;
            pos = at;
        }
        return std::string_view::npos;
    }

    void add(const model::Attribute& a) {
        const std::string_view path = a.path;
        std::string prefix;
        std::string_view rel = path;
        const size_t segment = last_content_segment(path);
        if (segment != std::string_view::npos) {
            const size_t close = path.find("].", segment);
            if (close == std::string_view::npos) return;  // the ContentSequence itself (null): nothing to read
            prefix = std::string(path.substr(0, close + 2));
            rel = path.substr(close + 2);
        }
        if (!is_read(rel)) {
            if (segment != std::string_view::npos) node(prefix);  // keep the item in the tree
            return;
        }
        Item& item = items_[node(prefix)];
        const std::string text(trim(a.text));
        if (rel == "ConceptNameCodeSequence[0].CodeValue") {
            if (!text.empty()) item.concept_name.value = text;
        } else if (rel == "ConceptNameCodeSequence[0].LongCodeValue" ||
                   rel == "ConceptNameCodeSequence[0].URNCodeValue") {
            if (item.concept_name.value.empty()) item.concept_name.value = text;
        } else if (rel == "ConceptNameCodeSequence[0].CodingSchemeDesignator") {
            item.concept_name.scheme = text;
        } else if (rel == "ConceptNameCodeSequence[0].CodeMeaning") {
            item.concept_name.meaning = text;
        } else if (rel == "MeasuredValueSequence[0].NumericValue" || rel == "NumericValue") {
            if (a.has_number() && std::isfinite(a.number) && !item.numeric) item.numeric = a.number;
        } else if (rel == "MeasuredValueSequence[0].FloatingPointValue") {
            if (a.has_number() && std::isfinite(a.number)) item.floating = a.number;
        } else if (rel == "MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue") {
            item.unit_value = text;
        } else if (rel == "MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeMeaning") {
            item.unit_meaning = text;
        } else if (rel == "ConceptCodeSequence[0].CodeValue") {
            item.concept_code.value = text;
        } else if (rel == "ConceptCodeSequence[0].CodingSchemeDesignator") {
            item.concept_code.scheme = text;
        } else if (rel == "ConceptCodeSequence[0].CodeMeaning") {
            item.concept_code.meaning = text;
        } else if (rel == "UID") {
            item.uid = text;
        } else if (rel == "ContentTemplateSequence[0].TemplateIdentifier") {
            item.template_id = text;
        }
    }

    static bool is_read(std::string_view rel) {
        static constexpr std::string_view kRead[] = {
            "ConceptNameCodeSequence[0].CodeValue",
            "ConceptNameCodeSequence[0].LongCodeValue",
            "ConceptNameCodeSequence[0].URNCodeValue",
            "ConceptNameCodeSequence[0].CodingSchemeDesignator",
            "ConceptNameCodeSequence[0].CodeMeaning",
            "MeasuredValueSequence[0].NumericValue",
            "NumericValue",
            "MeasuredValueSequence[0].FloatingPointValue",
            "MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue",
            "MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeMeaning",
            "ConceptCodeSequence[0].CodeValue",
            "ConceptCodeSequence[0].CodingSchemeDesignator",
            "ConceptCodeSequence[0].CodeMeaning",
            "UID",
            "ContentTemplateSequence[0].TemplateIdentifier",
        };
        return std::find(std::begin(kRead), std::end(kRead), rel) != std::end(kRead);
    }

    std::vector<Item> items_;
    std::vector<int> concepts_;
    std::unordered_map<std::string, size_t> index_;
};

// A NUM item's value in `target`: the unit as written (CodeValue, else CodeMeaning); a value
// without a unit is taken to be in the template's unit (`target`).
std::optional<double> measured(const Item& item, const char* target) {
    std::optional<double> v = item.numeric ? item.numeric : item.floating;
    if (!v) return std::nullopt;
    if (trim(item.unit_value).empty() && trim(item.unit_meaning).empty()) return v;
    if (auto c = convert_unit(*v, item.unit_value, target)) return c;
    if (auto c = convert_unit(*v, item.unit_meaning, target)) return c;
    return std::nullopt;
}

void set_first(std::optional<double>& field, const Item& item, const char* target) {
    if (field) return;
    field = measured(item, target);
}

void set_first(std::string& field, const std::string& value) {
    if (field.empty()) field = value;
}

// Reads one event's subtree (pre-order: the first occurrence of each concept wins).
void read_event(const Tree& tree, size_t id, DoseEvent& e) {
    for (size_t child : tree.item(id).children) {
        const Item& it = tree.item(child);
        switch (tree.concept_of(child)) {
            case kEventUid: set_first(e.event_uid, std::string(trim(it.uid))); break;
            case kCtdivol: set_first(e.ctdivol_mgy, it, "mGy"); break;
            case kDlp: set_first(e.dlp_mgycm, it, "mGy.cm"); break;
            case kPhantom: set_first(e.phantom, it.concept_code.meaning); break;
            case kTargetRegion: set_first(e.target_region, it.concept_code.meaning); break;
            case kCtAcquisitionType: set_first(e.acquisition_type, it.concept_code.meaning); break;
            case kDap: set_first(e.dap_gym2, it, "Gy.m2"); break;
            case kDoseRp: set_first(e.dose_rp_gy, it, "Gy"); break;
            case kAgd: set_first(e.agd_mgy, it, "mGy"); break;
            case kThickness: set_first(e.compression_thickness_mm, it, "mm"); break;
            case kEventType: set_first(e.irradiation_event_type, it.concept_code.meaning); break;
            default: break;
        }
        read_event(tree, child, e);
    }
}

// Totals per accumulation container, first value in each (key 0: outside any container).
struct Totals {
    std::map<size_t, double> dlp, dap, dose_rp;
};

// The sum over the accumulation containers (a biplane room reports Plane A and Plane B); a
// total found outside any container counts only when no container holds one.
std::optional<double> sum(const std::map<size_t, double>& per_container) {
    if (per_container.empty()) return std::nullopt;
    double s = 0;
    bool in_container = false;
    for (const auto& [container, v] : per_container)
        if (container != 0) {
            s += v;
            in_container = true;
        }
    if (!in_container) return per_container.begin()->second;
    return s;
}

struct Walker {
    const Tree& tree;
    DoseReport& report;
    Totals totals;
    bool ct_content = false, projection_content = false, ct_procedure = false;

    void walk(size_t id, size_t container) {
        for (size_t child : tree.item(id).children) {
            const Item& it = tree.item(child);
            const int c = tree.concept_of(child);
            if (c == kCtAcquisition || c == kProjectionEvent) {
                DoseEvent e;
                e.kind = c == kCtAcquisition ? "CT" : "PROJECTION";
                (c == kCtAcquisition ? ct_content : projection_content) = true;
                read_event(tree, child, e);
                report.events.push_back(std::move(e));
                continue;  // an event's subtree is the event's
            }
            auto add_total = [&](std::map<size_t, double>& m, const char* target) {
                if (m.count(container)) return;
                if (auto v = measured(it, target)) m.emplace(container, *v);
            };
            switch (c) {
                case kCtAccumulated: ct_content = true; break;
                case kAccumulated: projection_content = true; break;
                case kDlpTotal: ct_content = true; add_total(totals.dlp, "mGy.cm"); break;
                case kDapTotal: add_total(totals.dap, "Gy.m2"); break;
                case kDoseRpTotal: add_total(totals.dose_rp, "Gy"); break;
                case kProcedureReported: {
                    const std::string v(trim(it.concept_code.value));
                    if (v == "P5-08000" || v == "77477000" ||
                        normalized_meaning(it.concept_code.meaning) == "computedtomographyxray")
                        ct_procedure = true;
                    break;
                }
                default: break;
            }
            walk(child, (c == kCtAccumulated || c == kAccumulated) ? child : container);
        }
    }
};

}  // namespace

std::optional<double> convert_unit(double value, const std::string& unit, const std::string& target) {
    if (!std::isfinite(value)) return std::nullopt;
    auto from = parse_unit(unit);
    auto to = parse_unit(target);
    if (!from || !to || from->gy != to->gy || from->m != to->m) return std::nullopt;
    if (from->scale == to->scale) return value;
    const double v = value * (from->scale / to->scale);
    if (!std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<DoseReport> extract_dose_report(const model::Instance& instance) {
    const Tree tree(instance);
    if (tree.concept_of(0) != kReport) return std::nullopt;

    DoseReport report;
    Walker walker{tree, report, {}};
    walker.walk(0, 0);
    report.dlp_total_mgycm = sum(walker.totals.dlp);
    report.dap_total_gym2 = sum(walker.totals.dap);
    report.dose_rp_total_gy = sum(walker.totals.dose_rp);

    // Which template: the content says it best (CT acquisitions or accumulated CT dose), then
    // the declared template, then projection content, then the procedure reported; 113701 roots
    // only TID 10011 and TID 10001.
    const std::string declared(trim(tree.item(0).template_id));
    if (walker.ct_content)
        report.template_id = "10011";
    else if (declared == "10011" || declared == "10001")
        report.template_id = declared;
    else if (walker.projection_content)
        report.template_id = "10001";
    else if (walker.ct_procedure)
        report.template_id = "10011";
    else
        report.template_id = "10001";
    return report;
}

}  // namespace dicomlake::normalize
