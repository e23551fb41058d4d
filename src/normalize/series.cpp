#include "normalize/series.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>
#include <unordered_map>
#include <tuple>
#include <stdexcept>

#include "normalize/content_hash.hpp"
#include "normalize/protocol.hpp"
#include "util/dates.hpp"
#include "util/number.hpp"

namespace dicomlake::normalize {

namespace {

enum class Column {
    nex, tr_ms, te_ms, ti_ms, echo_train_length, flip_angle, slice_thickness_mm, field_strength_t,
    ctdivol_mgy, count_
};
constexpr size_t kColumns = static_cast<size_t>(Column::count_);

struct Candidate {
    Column column;
    int priority;  // lower wins: top level, then shared groups, then the first per-frame item
};

// Where each typed acquisition parameter lives, classic header first, then the enhanced
// multi-frame functional groups (PS3.3 C.7.6.16; Philips: shared, Siemens XA: per-frame).
const std::unordered_map<std::string, Candidate>& candidates() {
    static const std::unordered_map<std::string, Candidate> table = [] {
        std::unordered_map<std::string, Candidate> t;
        auto add = [&t](Column c, const std::string& top, const std::string& group_path) {
            t.emplace(top, Candidate{c, 0});
            if (!group_path.empty()) {
                t.emplace("SharedFunctionalGroupsSequence[0]." + group_path, Candidate{c, 1});
                t.emplace("PerFrameFunctionalGroupsSequence[0]." + group_path, Candidate{c, 2});
            }
        };
        add(Column::nex, "NumberOfAverages", "MRAveragesSequence[0].NumberOfAverages");
        add(Column::tr_ms, "RepetitionTime", "MRTimingAndRelatedParametersSequence[0].RepetitionTime");
        add(Column::te_ms, "EchoTime", "MREchoSequence[0].EffectiveEchoTime");
        add(Column::ti_ms, "InversionTime", "MRModifierSequence[0].InversionTimes");
        add(Column::echo_train_length, "EchoTrainLength",
            "MRTimingAndRelatedParametersSequence[0].EchoTrainLength");
        add(Column::flip_angle, "FlipAngle", "MRTimingAndRelatedParametersSequence[0].FlipAngle");
        add(Column::slice_thickness_mm, "SliceThickness", "PixelMeasuresSequence[0].SliceThickness");
        add(Column::field_strength_t, "MagneticFieldStrength", "");
        add(Column::ctdivol_mgy, "CTDIvol", "CTExposureSequence[0].CTDIvol");
        return t;
    }();
    return table;
}

// Whether `tag` ends a path of candidates(): the path, a long string, is hashed only then.
bool candidate_leaf(model::TagKey tag) {
    static const std::vector<model::TagKey> leaves = [] {
        std::vector<model::TagKey> out;
        for (const auto& [path, c] : candidates()) {
            auto dot = path.rfind('.');
            model::TagKey t = model::tag_for_keyword(dot == std::string::npos ? path : path.substr(dot + 1));
            if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        }
        return out;
    }();
    return std::find(leaves.begin(), leaves.end(), tag) != leaves.end();
}

// Instance identity: never part of the series-level attributes.
bool is_instance_identity(const std::string& path) {
    return path == "SOPInstanceUID" || path == "InstanceNumber";
}

struct AttrState {
    std::string json;
    long count = 0;
    bool varies = false;
};

struct InstanceFacts {
    std::string series_key, study_key, sop_key;
    long instance_number = 0;
    bool has_instance_number = false;
    std::array<double, kColumns> values{};
    std::array<int, kColumns> priority{};  // 99 = absent
    std::string acq_first, acq_last;
};

// Lower is the reference instance of its series.
bool before(const InstanceFacts& a, const InstanceFacts& b) {
    if (a.has_instance_number != b.has_instance_number) return a.has_instance_number;
    if (a.instance_number != b.instance_number) return a.instance_number < b.instance_number;
    return a.sop_key < b.sop_key;
}

// A series' attributes by keyword path. Instances of a series list their attributes in
// nearly the same order, so each lookup first tries the entry after the previous one (a
// comparison) before the hash index; a tree of paths cost a dozen string comparisons each. The
// first instance's attributes are appended without any lookup (a series of one instance, such
// as a dose report of 120,000 attributes, never needs the index); a path it holds twice is
// merged in sorted().
class AttrTable {
public:
    struct Entry {
        std::string path;
        AttrState state;
    };
    // One path's state, equal entries merged.
    struct View {
        const std::string* path;
        const std::string* json;
        long count;
        bool varies;
    };

    // Call before each instance's attributes.
    void restart() {
        next_ = 0;
        ++instances_;
        if (instances_ == 2) build_index();
    }

    // The entry of `path`, added when new (`inserted`).
    AttrState& find_or_add(const std::string& path, bool& inserted) {
        inserted = false;
        if (instances_ > 1) {
            if (next_ < entries_.size() && entries_[next_].path == path) return entries_[next_++].state;
            auto it = index_.find(path);
            if (it != index_.end()) {
                next_ = it->second + 1;
                return entries_[it->second].state;
            }
        }
        inserted = true;
        entries_.push_back(Entry{path, {}});
        if (instances_ > 1) index_.emplace(entries_.back().path, entries_.size() - 1);  // a deque: the text stays put
        next_ = entries_.size();
        return entries_.back().state;
    }

    // The state of `path` (the first entry of a path held twice), or null.
    const AttrState* find(std::string_view path) const {
        if (instances_ > 1) {
            auto it = index_.find(path);
            return it == index_.end() ? nullptr : &entries_[it->second].state;
        }
        for (const auto& e : entries_)
            if (e.path == path) return &e.state;
        return nullptr;
    }

    // Paths in order, each once: the JSON text is deterministic whatever the arrival order. A
    // path held twice counts both times and varies when its values differ.
    std::vector<View> sorted() const {
        std::vector<const Entry*> order;
        order.reserve(entries_.size());
        for (const auto& e : entries_) order.push_back(&e);
        std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) { return a->path < b->path; });
        std::vector<View> out;
        out.reserve(order.size());
        for (const Entry* e : order) {
            if (!out.empty() && *out.back().path == e->path) {
                View& v = out.back();
                v.count += e->state.count;
                v.varies = v.varies || e->state.varies || *v.json != e->state.json;
                continue;
            }
            out.push_back(View{&e->path, &e->state.json, e->state.count, e->state.varies});
        }
        return out;
    }

private:
    void build_index() {
        index_.reserve(entries_.size());
        for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].path, i);  // the first of a path
    }

    std::deque<Entry> entries_;
    std::unordered_map<std::string_view, size_t> index_;  // from the second instance on
    size_t next_ = 0;
    long instances_ = 0;
};

struct SeriesAcc {
    SeriesRow row;
    InstanceFacts ref;
    bool have_ref = false;
    AttrTable attrs;
    std::vector<double> ctdi;  // summed in sorted order: the mean must not depend on arrival order
};

std::optional<double> opt(const InstanceFacts& f, Column c) {
    size_t i = static_cast<size_t>(c);
    if (f.priority[i] == 99) return std::nullopt;
    return f.values[i];
}

std::string timestamp(const std::string& date, const std::string& time) {
    if (date.size() != 10 || time.size() < 5) return {};
    return date + "T" + time;
}

std::string strip_zone(std::string dt) {
    // ISO DT from the walk: "YYYY-MM-DDTHH:MM:SS.ffffff+01:00" -> local clock time, as scanners log it.
    if (dt.size() > 10) {
        auto pos = dt.find_first_of("+-", 11);
        if (pos != std::string::npos) dt.resize(pos);
    }
    return dt;
}

void note_time(std::string& first, std::string& last, const std::string& ts) {
    if (ts.empty()) return;
    if (first.empty() || ts < first) first = ts;
    if (last.empty() || ts > last) last = ts;
}

// A series' attributes as JSON twice: in path order (what the content hash has always read) and
// in PostgreSQL's jsonb key order (shorter keys first, then bytewise), which the row gets: jsonb
// then stores it without sorting the keys again (sorting a dose report's 120,000 keys was a
// quarter of the server's CPU on the fast-PACS benchmark). The second is the first's members
// rearranged: a stable counting sort by key length, since within one length path order is
// bytewise order.
struct AttributesJson {
    std::string by_path, by_jsonb;
};

AttributesJson attributes_json(const std::vector<const AttrTable::View*>& in_path_order) {
    AttributesJson out;
    std::vector<std::pair<size_t, size_t>> member;  // [begin, end) of each member in by_path
    member.reserve(in_path_order.size());
    out.by_path += '{';
    for (const auto* v : in_path_order) {
        if (!member.empty()) out.by_path += ',';
        const size_t begin = out.by_path.size();
        model::append_json_string(out.by_path, *v->path);
        out.by_path += ':';
        out.by_path += *v->json;
        member.emplace_back(begin, out.by_path.size());
    }
    out.by_path += '}';

    size_t longest = 0;
    for (const auto* v : in_path_order) longest = std::max(longest, v->path->size());
    std::vector<size_t> next(longest + 2, 0);  // first slot of each key length
    for (const auto* v : in_path_order) ++next[v->path->size() + 1];
    for (size_t i = 1; i < next.size(); ++i) next[i] += next[i - 1];
    std::vector<size_t> order(in_path_order.size());
    for (size_t i = 0; i < in_path_order.size(); ++i) order[next[in_path_order[i]->path->size()]++] = i;

    out.by_jsonb.reserve(out.by_path.size());
    out.by_jsonb += '{';
    for (size_t k = 0; k < order.size(); ++k) {
        if (k > 0) out.by_jsonb += ',';
        const auto [begin, end] = member[order[k]];
        out.by_jsonb.append(out.by_path, begin, end - begin);
    }
    out.by_jsonb += '}';
    return out;
}

std::string top_text(const model::Instance& instance, model::TagKey tag) {
    for (const auto& a : instance.attributes)
        if (a.depth == 0 && a.tag == tag) return a.text;
    return {};
}

// Cumulative reports of one study repeat earlier events (Siemens): each event counts once, the
// latest report's values winning; continued reports add events. Totals are the sums over the
// unique events where events carry values, else the largest total any report states.
std::optional<StudyDose> merge_dose(const std::vector<DoseReport>& reports, const std::vector<SeriesRow>& series) {
    if (reports.empty()) {
        std::optional<double> ctdi;
        for (const auto& r : series)
            if (r.modality == "CT" && r.ctdivol_mgy) ctdi = std::max(ctdi.value_or(0), *r.ctdivol_mgy);
        if (!ctdi) return std::nullopt;
        StudyDose d;
        d.source = "IMAGE_HEADER";
        d.template_id = "";
        d.ctdivol_max_mgy = ctdi;
        return d;
    }
    StudyDose d;
    d.source = "RDSR";
    std::map<std::string, size_t> position;
    std::optional<double> stated_dlp, stated_dap, stated_rp;
    auto keep_max = [](std::optional<double>& acc, const std::optional<double>& v) {
        if (v) acc = std::max(acc.value_or(*v), *v);
    };
    for (const auto& report : reports) {
        if (d.template_id.empty() || report.template_id == "10011") d.template_id = report.template_id;
        keep_max(stated_dlp, report.dlp_total_mgycm);
        keep_max(stated_dap, report.dap_total_gym2);
        keep_max(stated_rp, report.dose_rp_total_gy);
        for (const auto& e : report.events) {
            auto it = e.event_uid.empty() ? position.end() : position.find(e.event_uid);
            if (it != position.end()) {
                d.events[it->second] = e;
            } else {
                if (!e.event_uid.empty()) position[e.event_uid] = d.events.size();
                d.events.push_back(e);
            }
        }
    }
    auto sum = [&d](std::optional<double> DoseEvent::*field) -> std::optional<double> {
        std::optional<double> total;
        for (const auto& e : d.events)
            if (e.*field) total = total.value_or(0) + *(e.*field);
        return total;
    };
    d.dlp_total_mgycm = reports.size() > 1 ? sum(&DoseEvent::dlp_mgycm) : stated_dlp;
    if (!d.dlp_total_mgycm) d.dlp_total_mgycm = stated_dlp ? stated_dlp : sum(&DoseEvent::dlp_mgycm);
    d.dap_total_gym2 = reports.size() > 1 ? sum(&DoseEvent::dap_gym2) : stated_dap;
    if (!d.dap_total_gym2) d.dap_total_gym2 = stated_dap ? stated_dap : sum(&DoseEvent::dap_gym2);
    d.dose_rp_total_gy = reports.size() > 1 ? sum(&DoseEvent::dose_rp_gy) : stated_rp;
    if (!d.dose_rp_total_gy) d.dose_rp_total_gy = stated_rp ? stated_rp : sum(&DoseEvent::dose_rp_gy);
    for (const auto& e : d.events) keep_max(d.ctdivol_max_mgy, e.ctdivol_mgy);
    return d;
}

}  // namespace

std::optional<double> seconds_between(const std::string& a, const std::string& b) {
    auto seconds = [](const std::string& ts) -> std::optional<double> {
        if (ts.size() < 19) return std::nullopt;
        auto d = parse_iso_date(ts.substr(0, 10));
        if (!d) return std::nullopt;
        double t = std::atoi(ts.substr(11, 2).c_str()) * 3600.0 + std::atoi(ts.substr(14, 2).c_str()) * 60.0 +
                   std::atof(ts.substr(17).c_str());
        return static_cast<double>(*d) * 86400.0 + t;
    };
    auto x = seconds(a), y = seconds(b);
    if (!x || !y) return std::nullopt;
    return *y - *x;
}

std::string add_days_to_timestamp(const std::string& timestamp, int days) {
    if (days == 0 || timestamp.size() < 10) return timestamp;
    auto d = parse_iso_date(timestamp.substr(0, 10));
    if (!d) return timestamp;
    return format_iso_date(*d + days) + timestamp.substr(10);
}

std::string acquisition_timestamp(const model::Instance& instance) {
    std::string adt, adate, atime, sdate, cdate, ctime;
    for (const auto& a : instance.attributes) {
        if (a.depth != 0) continue;
        switch (a.tag) {
            case 0x0008002A: adt = a.text; break;
            case 0x00080022: adate = a.text; break;
            case 0x00080032: atime = a.text; break;
            case 0x00080021: sdate = a.text; break;
            case 0x00080023: cdate = a.text; break;
            case 0x00080033: ctime = a.text; break;
            default: break;
        }
    }
    if (adt.size() >= 16) return strip_zone(adt);
    if (!atime.empty()) {
        auto ts = timestamp(!adate.empty() ? adate : !sdate.empty() ? sdate : cdate, atime);
        if (!ts.empty()) return ts;
    }
    return timestamp(cdate, ctime);
}

struct StudyAccumulator::Impl {
    std::map<std::string, SeriesAcc> series;  // by series_key
    StudyRow study;
    int date_shift_days = 0;
    std::vector<DoseReport> dose_reports;
    InstanceFacts study_ref;
    bool have_study = false;
    long instances = 0;
};

StudyAccumulator::StudyAccumulator() : impl_(std::make_unique<Impl>()) {}
StudyAccumulator::~StudyAccumulator() = default;
StudyAccumulator::StudyAccumulator(StudyAccumulator&&) noexcept = default;
StudyAccumulator& StudyAccumulator::operator=(StudyAccumulator&&) noexcept = default;
long StudyAccumulator::instances() const { return impl_->instances; }

void StudyAccumulator::add(const model::Instance& instance) {
    const auto& table = candidates();
    InstanceFacts f;
    f.priority.fill(99);
    for (const auto& a : instance.attributes) {
        if (a.depth == 0) {
            switch (a.tag) {
                case 0x0020000D: f.study_key = a.text; break;
                case 0x0020000E: f.series_key = a.text; break;
                case 0x00080018: f.sop_key = a.text; break;
                case 0x00200013:
                    if (a.has_number() && std::fabs(a.number) < 1e15) {
                        f.instance_number = static_cast<long>(a.number);
                        f.has_instance_number = true;
                    }
                    break;
                default: break;
            }
        }
        if (a.summary_only || a.tag == 0x00189074) {  // FrameAcquisitionDateTime, any frame
            if (a.tag == 0x00189074) note_time(f.acq_first, f.acq_last, strip_zone(a.text));
            if (a.summary_only) continue;
        }
        if (a.has_number() && candidate_leaf(a.tag)) {
            auto it = table.find(a.path);
            if (it != table.end()) {
                size_t i = static_cast<size_t>(it->second.column);
                if (it->second.priority < f.priority[i]) {
                    f.priority[i] = it->second.priority;
                    f.values[i] = a.number;
                }
            }
        }
    }
    if (f.series_key.empty()) throw std::runtime_error("an instance has no SeriesInstanceUID");
    if (f.study_key.empty()) throw std::runtime_error("an instance has no StudyInstanceUID");
    if (f.acq_first.empty()) {
        auto ts = acquisition_timestamp(instance);
        f.acq_first = f.acq_last = ts;
    }

    Impl& im = *impl_;
    ++im.instances;
    for (const auto& a : instance.attributes)
        if (a.depth == 0 && a.tag == 0x0040A040) {  // ValueType at the root: a structured report
            if (auto report = extract_dose_report(instance)) im.dose_reports.push_back(std::move(*report));
            break;
        }
    if (!im.have_study) {
        im.study.study_key = f.study_key;
    } else if (im.study.study_key != f.study_key) {
        throw std::runtime_error("the metadata mixes instances of different studies");
    }

    SeriesAcc& s = im.series[f.series_key];
    bool first_in_series = s.row.instances == 0;
    ++s.row.instances;
    if (instance.series_instances_on_pacs >= 0)
        s.row.instances_on_pacs = std::max(s.row.instances_on_pacs.value_or(0), instance.series_instances_on_pacs);
    note_time(s.row.first_acquired, s.row.last_acquired, f.acq_first);
    note_time(s.row.first_acquired, s.row.last_acquired, f.acq_last);
    if (auto c = opt(f, Column::ctdivol_mgy)) s.ctdi.push_back(*c);

    // Series-level attributes: kept when every instance has the same value.
    s.attrs.restart();
    for (const auto& a : instance.attributes) {
        if (a.summary_only || is_instance_identity(a.path)) continue;
        bool inserted = false;
        AttrState& st = s.attrs.find_or_add(a.path, inserted);
        if (inserted) {
            if (!first_in_series) st.varies = true;  // absent from earlier instances
            st.json = a.json;  // copied: the reference-instance code below still reads a.json (ImageType)
        } else if (!st.varies && st.json != a.json) {
            st.varies = true;
        }
        ++st.count;
    }

    bool becomes_ref = !s.have_ref || before(f, s.ref);
    if (becomes_ref) {
        auto text_of = [&instance](model::TagKey tag) { return top_text(instance, tag); };
        SeriesRow& r = s.row;
        r.study_key = f.study_key;
        r.series_key = f.series_key;
        r.modality = text_of(0x00080060);
        r.manufacturer = text_of(0x00080070);
        r.model = text_of(0x00081090);
        r.device_serial = text_of(0x00181000);
        r.station = text_of(0x00081010);
        r.institution = text_of(0x00080080);
        r.series_description = text_of(0x0008103E);
        r.protocol_name = text_of(0x00181030);
        r.body_part = text_of(0x00180015);
        r.sop_class_uid = text_of(0x00080016);
        r.image_type.clear();
        for (const auto& a : instance.attributes)
            if (a.depth == 0 && a.tag == 0x00080008) r.image_type = a.json;
        r.series_date = text_of(0x00080021);
        r.series_time = text_of(0x00080031);
        // From the typed number, not the text: a numeric attribute's text is the shortest
        // std::to_chars form, so SeriesNumber 100000 reads "1e+05" (std::stol would give 1).
        r.series_number.reset();
        for (const auto& a : instance.attributes)
            if (a.depth == 0 && a.tag == 0x00200011 && a.has_number() && std::fabs(a.number) < 1e15)
                r.series_number = static_cast<long>(a.number);
        s.ref = f;
        s.have_ref = true;
    }
    bool study_ref = !im.have_study || f.series_key < im.study_ref.series_key ||
                     (f.series_key == im.study_ref.series_key && before(f, im.study_ref));
    if (study_ref) {
        auto text_of = [&instance](model::TagKey tag) { return top_text(instance, tag); };
        StudyRow& st = im.study;
        st.study_date = text_of(0x00080020);
        st.study_time = text_of(0x00080030);
        st.study_description = text_of(0x00081030);
        st.institution = text_of(0x00080080);
        st.patient_age = text_of(0x00101010);
        st.patient_sex = text_of(0x00100040);
        st.patient_size_m.reset();
        st.patient_weight_kg.reset();
        for (const auto& a : instance.attributes) {
            if (a.depth != 0 || !a.has_number()) continue;
            if (a.tag == 0x00101020) st.patient_size_m = a.number;
            if (a.tag == 0x00101030) st.patient_weight_kg = a.number;
        }
        st.patient_key = instance.patient_key;
        st.accession_key = instance.accession_key;
        st.pseudo_patient = instance.pseudo_patient;
        im.date_shift_days = instance.date_shift_days;
        im.study_ref = f;
    }
    im.have_study = true;
}

StudyResult StudyAccumulator::finish() {
    Impl& im = *impl_;
    if (im.instances == 0) throw std::runtime_error("the metadata holds no instance");
    StudyResult out;
    out.study = im.study;
    std::set<std::string> modalities;
    ContentHash digest;
    for (auto& [key, s] : im.series) {
        SeriesRow& r = s.row;
        r.nex = opt(s.ref, Column::nex);
        r.tr_ms = opt(s.ref, Column::tr_ms);
        r.te_ms = opt(s.ref, Column::te_ms);
        r.ti_ms = opt(s.ref, Column::ti_ms);
        r.echo_train_length = opt(s.ref, Column::echo_train_length);
        r.flip_angle = opt(s.ref, Column::flip_angle);
        r.slice_thickness_mm = opt(s.ref, Column::slice_thickness_mm);
        r.field_strength_t = opt(s.ref, Column::field_strength_t);
        if (!s.ctdi.empty()) {
            std::sort(s.ctdi.begin(), s.ctdi.end());
            double sum = 0;
            for (double v : s.ctdi) sum += v;
            r.ctdivol_mgy = sum / static_cast<double>(s.ctdi.size());
        }
        const auto sorted_attrs = s.attrs.sorted();
        // A legacy dose screen (Philips Secondary Capture) lists its acquisitions in the retired
        // Exposure Dose Sequence: the largest CTDIvol stands for the series.
        if (!r.ctdivol_mgy)
            for (const auto& e : sorted_attrs)
                if (e.path->rfind("ExposureDoseSequence[", 0) == 0 && e.path->size() > 8 &&
                    e.path->compare(e.path->size() - 8, 8, ".CTDIvol") == 0)
                    for (double v : json_numbers(*e.json))
                        if (!r.ctdivol_mgy || v > *r.ctdivol_mgy) r.ctdivol_mgy = v;

        // Protocol identity and acquisition time, from the series' attributes.
        // Captured by init-capture: clang 14 cannot capture a structured binding (C++20).
        auto value_of = [&attrs = s.attrs](std::initializer_list<const char*> paths) -> const std::string* {
            for (const char* p : paths) {
                const AttrState* st = attrs.find(p);
                if (st != nullptr && st->json != "null") return &st->json;
            }
            return nullptr;
        };
        auto number_of = [&](std::initializer_list<const char*> paths) -> std::optional<double> {
            if (const std::string* j = value_of(paths)) {
                auto v = json_numbers(*j);
                if (!v.empty()) return v.front();
            }
            return std::nullopt;
        };
        ProtocolFacts pf;
        pf.modality = r.modality;
        pf.body_part = r.body_part;
        pf.description = r.series_description;
        pf.image_type = json_strings(r.image_type);
        if (const std::string* j = value_of({"ScanningSequence"})) pf.scanning_sequence = json_strings(*j);
        if (const std::string* j = value_of({"SequenceVariant"})) pf.sequence_variant = json_strings(*j);
        if (const std::string* j = value_of({"ImageOrientationPatient",
                                             "SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient",
                                             "PerFrameFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient"})) {
            auto v = json_numbers(*j);
            if (v.size() == 6) pf.orientation = std::array<double, 6>{v[0], v[1], v[2], v[3], v[4], v[5]};
        }
        pf.tr_ms = r.tr_ms;
        pf.te_ms = r.te_ms;
        pf.ti_ms = r.ti_ms;
        pf.echo_train_length = r.echo_train_length;
        pf.field_strength_t = r.field_strength_t;
        auto identity = classify_protocol(pf);
        r.protocol_derived = identity.protocol;
        r.localizer = identity.localizer;
        r.derived = identity.derived;
        AcquisitionTimeFacts at;
        at.acquisition_duration_s = number_of({"AcquisitionDuration"});
        at.span_s = seconds_between(r.first_acquired, r.last_acquired);
        at.tr_ms = r.tr_ms;
        at.nex = r.nex;
        at.echo_train_length = r.echo_train_length;
        at.phase_steps = number_of({"NumberOfPhaseEncodingSteps"});
        at.parallel_factor = number_of({"ParallelReductionFactorInPlane",
                                        "SharedFunctionalGroupsSequence[0].MRModifierSequence[0].ParallelReductionFactorInPlane"});
        std::tie(r.acquisition_s, r.acquisition_source) = acquisition_time(at);

        // Series-level attributes: those every instance holds, with one value. The row's JSON
        // is in jsonb's key order; the content hash reads them in path order, as it always has.
        std::vector<const AttrTable::View*> kept;
        for (const auto& e : sorted_attrs) {
            if (e.varies || e.count != r.instances)
                r.varying.push_back(*e.path);
            else
                kept.push_back(&e);
        }
        AttributesJson attrs_json = attributes_json(kept);
        r.attributes_json = std::move(attrs_json.by_jsonb);
        if (!r.modality.empty()) modalities.insert(r.modality);
        note_time(out.study.first_acquired, out.study.last_acquired, r.first_acquired);
        note_time(out.study.first_acquired, out.study.last_acquired, r.last_acquired);
        out.study.instance_count += r.instances;

        digest += r.series_key + '|' + r.modality + '|' + r.manufacturer + '|' + r.model + '|' +
                  r.device_serial + '|' + r.station + '|' + r.series_description + '|' + r.protocol_name +
                  '|' + r.body_part + '|' + std::to_string(r.instances) + '|' + r.first_acquired + '|' +
                  r.last_acquired + '|';
        for (const auto& v : {r.nex, r.tr_ms, r.te_ms, r.ti_ms, r.echo_train_length, r.flip_angle,
                              r.slice_thickness_mm, r.field_strength_t, r.ctdivol_mgy})
            digest.add(v);
        digest += r.protocol_derived + '|';
        if (r.instances_on_pacs) digest += std::to_string(*r.instances_on_pacs);
        digest += '|';
        digest.add(r.acquisition_s);
        digest += attrs_json.by_path;
        digest += '\n';
        out.series.push_back(std::move(r));
    }
    out.study.series_count = static_cast<long>(out.series.size());
    out.dose = merge_dose(im.dose_reports, out.series);
    if (out.dose) {
        const auto& d = *out.dose;
        digest += d.source + '|' + d.template_id + '|';
        for (const auto& v : {d.dlp_total_mgycm, d.ctdivol_max_mgy, d.dap_total_gym2, d.dose_rp_total_gy})
            digest.add(v);
        for (const auto& e : d.events) {
            digest += e.event_uid + '|' + e.target_region + '|';
            for (const auto& v : {e.ctdivol_mgy, e.dlp_mgycm, e.dap_gym2, e.dose_rp_gy, e.agd_mgy})
                digest.add(v);
        }
    }

    // Utilization facts per device, back in real time.
    std::map<std::string, ActivityRow> by_device;
    std::map<std::string, std::set<std::string>> device_modalities;
    for (const auto& r : out.series) {
        // Acquisitions only (Niffler's method: original images): dose reports, key objects and
        // presentation states are written after the scan, derived images later still.
        if (r.device_serial.empty() || r.derived || r.modality == "SR" || r.modality == "KO" || r.modality == "PR" ||
            r.modality == "DOC")
            continue;
        ActivityRow& a = by_device[r.device_serial];
        if (a.device_serial.empty()) {
            a.device_serial = r.device_serial;
            a.manufacturer = r.manufacturer;
            a.model = r.model;
            a.station = r.station;
        }
        note_time(a.first_acquired, a.last_acquired, add_days_to_timestamp(r.first_acquired, -im.date_shift_days));
        note_time(a.first_acquired, a.last_acquired, add_days_to_timestamp(r.last_acquired, -im.date_shift_days));
        ++a.series_count;
        a.instances += r.instances;
        if (!r.modality.empty()) device_modalities[r.device_serial].insert(r.modality);
        if (r.modality == "MR" && r.nex && !r.localizer) {
            ++a.mr_series;
            a.nex_sum += *r.nex;
        }
    }
    // A study's dose total belongs to the scanner that made its CT images (the first by serial
    // when several did: the dose report does not say which).
    bool ct_dose = out.dose && out.dose->template_id == "10011" && out.dose->dlp_total_mgycm;
    for (auto& [serial, a] : by_device) {
        a.modalities.assign(device_modalities[serial].begin(), device_modalities[serial].end());
        a.acquired_day = a.first_acquired.substr(0, 10);
        if (ct_dose && device_modalities[serial].count("CT")) {
            a.ct_dlp_mgycm = out.dose->dlp_total_mgycm;
            ct_dose = false;
        }
        out.activity.push_back(std::move(a));
    }
    out.study.modalities.assign(modalities.begin(), modalities.end());
    for (const auto& a : out.activity) digest += a.device_serial + '|' + a.first_acquired + '|' + a.last_acquired + '\n';
    digest += out.study.patient_key + '|' + out.study.accession_key + '|';
    digest += out.study.study_date + '|' + out.study.study_time + '|' + out.study.study_description + '|' +
              out.study.patient_age + '|' + out.study.patient_sex;
    out.study.content_hash = digest.hex();
    return out;
}

}  // namespace dicomlake::normalize
