#include "model/walk_values.hpp"

#include <charconv>
#include <cmath>

#include "util/number.hpp"

namespace dicomlake::model {

namespace {

bool all_digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

bool parse_number(std::string_view s, double& out) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    return res.ec == std::errc() && res.ptr == s.data() + s.size() && std::isfinite(out);
}

void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    append_number_text(out, v);
}

[[noreturn]] void refuse_nested() {
    throw MalformedJson("an attribute value is a JSON array or object where DICOM JSON has a string or number");
}

// PN's three component groups, from a person_name value or a "Alpha=Ideo=Phon" string.
void person_name_groups(const RawValue& v, std::string_view (&groups)[3]) {
    if (v.kind == RawValue::Kind::person_name) {
        for (int i = 0; i < 3; ++i) groups[i] = detail::trim_padding(v.groups[i]);
        return;
    }
    std::string_view rest = v.text;
    for (int i = 0; i < 3; ++i) {
        auto eq = i < 2 ? rest.find('=') : std::string_view::npos;
        groups[i] = detail::trim_padding(rest.substr(0, eq));
        if (eq == std::string_view::npos) break;
        rest.remove_prefix(eq + 1);
    }
}

void append_person_name(Attribute& a, std::string& out, const RawValue& v, bool first,
                        AttributeFilter::Action action, const AttributeFilter& filter,
                        const AttributeContext& ctx) {
    static const char* const kGroupNames[3] = {"Alphabetic", "Ideographic", "Phonetic"};
    std::string_view groups[3];
    person_name_groups(v, groups);
    out += '{';
    bool any = false;
    for (int i = 0; i < 3; ++i) {
        if (groups[i].empty()) continue;
        std::string text = action == AttributeFilter::Action::clean_text ? filter.clean_text(groups[i], ctx)
                                                                          : std::string(groups[i]);
        if (any) out += ',';
        append_json_string(out, kGroupNames[i]);
        out += ':';
        append_json_string(out, text);
        if (first && !any) a.text = text;
        any = true;
    }
    out += '}';
}

}  // namespace

namespace detail {

bool is_numeric_vr(std::string_view vr) {
    return vr == "DS" || vr == "IS" || vr == "FL" || vr == "FD" || vr == "SL" || vr == "SS" ||
           vr == "UL" || vr == "US" || vr == "SV" || vr == "UV";
}

bool is_binary_vr(std::string_view vr) {
    return vr == "OB" || vr == "OW" || vr == "OF" || vr == "OD" || vr == "OL" || vr == "OV" || vr == "UN";
}

std::string_view trim_padding(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}

std::string identity_text(const RawValue& v) {
    switch (v.kind) {
        case RawValue::Kind::text:
        case RawValue::Kind::number: return std::string(trim_padding(v.text));
        case RawValue::Kind::person_name: {
            std::string_view g[3];
            person_name_groups(v, g);
            std::string joined(g[0]);
            if (!g[1].empty() || !g[2].empty()) (joined += '=') += g[1];
            if (!g[2].empty()) (joined += '=') += g[2];
            return joined;
        }
        default: return {};
    }
}

void append_value(Attribute& a, std::string& out, const RawValue& v, std::string_view vr,
                  AttributeFilter::Action action, bool first, const AttributeFilter& filter,
                  const AttributeContext& ctx) {
    if (v.kind == RawValue::Kind::null) {
        out += "null";
        return;
    }
    // DICOM values are strings, numbers or (PN) name groups: anything else is refused rather
    // than kept as a stray bracket.
    if (v.kind == RawValue::Kind::nested || (v.kind == RawValue::Kind::person_name && vr != "PN")) refuse_nested();
    if (vr == "PN") {
        append_person_name(a, out, v, first, action, filter, ctx);
        return;
    }
    std::string_view s = trim_padding(v.text);
    if (is_numeric_vr(vr)) {
        double d = v.number;
        if (v.kind == RawValue::Kind::number ? std::isfinite(d) : parse_number(s, d)) {
            append_number(out, d);
            if (first) {
                a.number = d;
                a.text.clear();
                append_number_text(a.text, d);
            }
        } else {
            // Not a number after all (vendors write "n/a"): keep the text, typed as a string.
            append_json_string(out, s);
            if (first) a.text.assign(s);
        }
        return;
    }
    // Plain text is copied once, into the JSON; only values that change are built apart.
    std::string changed;
    std::string_view typed = s;
    auto change = [&](std::string&& value) {
        changed = std::move(value);
        typed = changed;
    };
    if (vr == "DA")
        change(iso_date(s));
    else if (vr == "TM")
        change(iso_time(s));
    else if (vr == "DT")
        change(iso_datetime(s));
    else if (vr == "UI" && action == AttributeFilter::Action::replace_uid)
        change(filter.replace_uid(s));
    // A value the filter rewrites is rewritten whatever its JSON type (a date written as a
    // number would otherwise bypass the shift).
    if (action == AttributeFilter::Action::shift_date && (vr == "DA" || vr == "DT"))
        change(filter.shift_date(typed, vr, ctx));
    else if (action == AttributeFilter::Action::clean_text)
        change(filter.clean_text(typed, ctx));
    append_json_string(out, typed);
    if (first) a.text.assign(typed);
}

}  // namespace detail

void append_json_string(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    size_t plain = 0;  // start of the run of characters copied as they are
    for (size_t i = 0; i < s.size(); ++i) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (u >= 0x20 && u != '"' && u != '\\') continue;
        out.append(s.substr(plain, i - plain));
        plain = i + 1;
        switch (u) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case 0: break;  // PostgreSQL's jsonb cannot hold U+0000: drop it
            default:
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 0xF];
        }
    }
    out.append(s.substr(plain));
    out += '"';
}

std::string iso_date(std::string_view da) {
    while (!da.empty() && da.back() == ' ') da.remove_suffix(1);
    if (da.size() == 8 && all_digits(da))
        return std::string(da.substr(0, 4)) + "-" + std::string(da.substr(4, 2)) + "-" +
               std::string(da.substr(6, 2));
    if (da.size() == 10 && da[4] == '.' && da[7] == '.')  // ACR-NEMA "YYYY.MM.DD"
        return std::string(da.substr(0, 4)) + "-" + std::string(da.substr(5, 2)) + "-" +
               std::string(da.substr(8, 2));
    return std::string(da);
}

std::string iso_time(std::string_view tm) {
    while (!tm.empty() && tm.back() == ' ') tm.remove_suffix(1);
    if (tm.find(':') != std::string_view::npos) return std::string(tm);  // already "HH:MM:SS"
    std::string_view frac;
    auto dot = tm.find('.');
    std::string_view hms = tm;
    if (dot != std::string_view::npos) {
        hms = tm.substr(0, dot);
        frac = tm.substr(dot);
    }
    if (!all_digits(hms) || (hms.size() != 2 && hms.size() != 4 && hms.size() != 6)) return std::string(tm);
    std::string out(hms.substr(0, 2));
    out += ':';
    out += hms.size() >= 4 ? hms.substr(2, 2) : std::string_view("00");
    out += ':';
    out += hms.size() == 6 ? hms.substr(4, 2) : std::string_view("00");
    if (hms.size() == 6) out += frac;
    return out;
}

std::string iso_datetime(std::string_view dt) {
    while (!dt.empty() && dt.back() == ' ') dt.remove_suffix(1);
    std::string_view zone;
    auto sign = dt.find_first_of("+-", 4);
    if (sign != std::string_view::npos) {
        zone = dt.substr(sign);
        dt = dt.substr(0, sign);
    }
    std::string_view main = dt, frac;
    auto dot = dt.find('.');
    if (dot != std::string_view::npos) {
        main = dt.substr(0, dot);
        frac = dt.substr(dot);
    }
    if (!all_digits(main) || main.size() < 4 || main.size() % 2 != 0 || main.size() > 14)
        return std::string(dt) + std::string(zone);
    std::string out(main.substr(0, 4));
    out += '-';
    out += main.size() >= 6 ? main.substr(4, 2) : std::string_view("01");
    out += '-';
    out += main.size() >= 8 ? main.substr(6, 2) : std::string_view("01");
    if (main.size() > 8) {
        out += 'T';
        out += main.substr(8, 2);
        out += ':';
        out += main.size() >= 12 ? main.substr(10, 2) : std::string_view("00");
        out += ':';
        out += main.size() >= 14 ? main.substr(12, 2) : std::string_view("00");
        if (main.size() == 14) out += frac;
    }
    if (zone.size() == 5 && all_digits(zone.substr(1))) {
        out += zone.substr(0, 3);
        out += ':';
        out += zone.substr(3, 2);
    }
    return out;
}

}  // namespace dicomlake::model
