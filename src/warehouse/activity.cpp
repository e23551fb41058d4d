#include "warehouse/activity.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "util/dates.hpp"
#include "warehouse/copy_text.hpp"

namespace dicomlake::warehouse::activity {

namespace {

using nlohmann::json;

// The activity purpose with its own prefix: a cell key can never equal a study's activity key
// (those hash a study key, "2.25...").
std::string cell_key(const deid::Pseudonymizer& p, const std::string& device, const std::string& day) {
    return p.token(deid::Purpose::activity, "cell\x1f" + device + '\x1f' + day);
}

std::optional<std::string> unseal_any(const Keyring& keys, const std::string& sealed) {
    for (const auto* p : keys)
        if (auto plain = p->unseal(sealed)) return plain;
    return std::nullopt;
}

// The stored contributions under `old_keys` (deleted), the ones no key of the keyring opens
// dropped: they can be neither read nor subtracted.
std::vector<Contribution> take_old(pqxx::work& tx, const Keyring& keys, const std::vector<std::string>& old_keys) {
    std::vector<Contribution> out;
    for (const auto& key : old_keys) {
        auto r = tx.exec_params("DELETE FROM dicomlake.activity_contribution WHERE activity_key = $1 RETURNING sealed",
                                key);
        for (const auto& row : r) {
            auto plain = unseal_any(keys, row[0].as<std::string>());
            auto c = plain ? decode_contributions(*plain) : std::nullopt;
            if (c) out.insert(out.end(), c->begin(), c->end());
        }
    }
    return out;
}

// Applies the signed contributions to one scanner-day: its sealed cell (found under any key of
// the keyring, rewritten under the current one) and its public row.
void update_day(pqxx::work& tx, const Keyring& keys, const Settings& settings, const std::string& device,
                const std::string& day, const std::vector<std::pair<const Contribution*, int>>& changes) {
    DayTotals totals;
    for (const auto* p : keys) {
        auto r = tx.exec_params("DELETE FROM dicomlake.activity_cell WHERE cell_key = $1 RETURNING sealed",
                                cell_key(*p, device, day));
        for (const auto& row : r) {
            auto plain = p->unseal(row[0].as<std::string>());
            if (auto t = plain ? decode_totals(*plain) : std::nullopt) merge(totals, *t);
        }
    }
    for (const auto& [c, sign] : changes) add(totals, *c, sign);
    if (totals.studies > 0)
        tx.exec_params("INSERT INTO dicomlake.activity_cell (cell_key, sealed) VALUES ($1, $2)",
                       cell_key(*keys.front(), device, day), keys.front()->seal(encode(totals)));
    auto shown = totals.studies > 0 ? publish(totals, settings) : std::nullopt;
    if (!shown) {
        tx.exec_params("DELETE FROM dicomlake.activity_day WHERE device_serial = $1 AND day = $2::date", device, day);
        return;
    }
    tx.exec_params(
        "INSERT INTO dicomlake.activity_day (device_serial, day, studies, busy_minutes, mostly_off_hours)"
        " VALUES ($1, $2::date, $3, $4, $5) ON CONFLICT (device_serial, day) DO UPDATE SET"
        " studies = EXCLUDED.studies, busy_minutes = EXCLUDED.busy_minutes,"
        " mostly_off_hours = EXCLUDED.mostly_off_hours",
        device, day, shown->studies, shown->busy_minutes, shown->mostly_off_hours);
}

// Recomputes one scanner-week from the sealed cells of its seven days (under any key of the
// keyring; the days just changed are already rewritten).
void update_week(pqxx::work& tx, const Keyring& keys, const Settings& settings, const std::string& device,
                 const std::string& monday) {
    std::vector<std::string> cell_keys;
    std::map<std::string, std::pair<const deid::Pseudonymizer*, size_t>> owner;  // cell key -> (key, day)
    for (const auto* p : keys)
        for (size_t i = 0; i < 7; ++i) {
            cell_keys.push_back(cell_key(*p, device, add_days(monday, static_cast<long>(i))));
            owner[cell_keys.back()] = {p, i};
        }
    std::vector<DayTotals> days(7);
    for (const auto& row : tx.exec_params("SELECT cell_key, sealed FROM dicomlake.activity_cell"
                                          " WHERE cell_key = ANY($1::text[])",
                                          pg_array_literal(cell_keys))) {
        const auto& [p, i] = owner.at(row[0].as<std::string>());
        auto plain = p->unseal(row[1].as<std::string>());
        if (auto t = plain ? decode_totals(*plain) : std::nullopt) merge(days[i], *t);
    }
    auto shown = publish_week(days, settings);
    if (!shown) {
        tx.exec_params("DELETE FROM dicomlake.activity_week WHERE device_serial = $1 AND week = $2::date", device,
                       monday);
        return;
    }
    // Unpublished parts travel as '' and are stored as NULL.
    auto text = [](const auto& v, const char* format) {
        char buf[48] = "";
        if (v) std::snprintf(buf, sizeof buf, format, *v);
        return std::string(buf);
    };
    tx.exec_params(
        "INSERT INTO dicomlake.activity_week (device_serial, week, studies, mr_series, mean_nex, ct_studies,"
        " mean_dlp_mgycm) VALUES ($1, $2::date, $3, NULLIF($4, '')::integer, NULLIF($5, '')::numeric,"
        " NULLIF($6, '')::integer, NULLIF($7, '')::numeric) ON CONFLICT (device_serial, week) DO UPDATE SET"
        " studies = EXCLUDED.studies, mr_series = EXCLUDED.mr_series, mean_nex = EXCLUDED.mean_nex,"
        " ct_studies = EXCLUDED.ct_studies, mean_dlp_mgycm = EXCLUDED.mean_dlp_mgycm",
        device, monday, shown->studies, text(shown->mr_series, "%ld"), text(shown->mean_nex, "%.2f"),
        text(shown->ct_studies, "%ld"), text(shown->mean_dlp_mgycm, "%.0f"));
}

void update_weekhour(pqxx::work& tx, const Contribution& c, int sign) {
    tx.exec_params(
        "INSERT INTO dicomlake.activity_weekhour AS w (device_serial, weekday, hour, studies, busy_minutes)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_serial, weekday, hour) DO UPDATE SET"
        " studies = w.studies + EXCLUDED.studies, busy_minutes = w.busy_minutes + EXCLUDED.busy_minutes",
        c.device_serial, c.weekday, c.hour, sign, sign * c.seconds / 60.0);
    tx.exec_params(
        "DELETE FROM dicomlake.activity_weekhour WHERE device_serial = $1 AND weekday = $2 AND hour = $3"
        " AND studies <= 0",
        c.device_serial, c.weekday, c.hour);
}

}  // namespace

std::vector<Contribution> contributions(const std::vector<normalize::ActivityRow>& rows) {
    std::vector<Contribution> out;
    for (const auto& a : rows) {
        if (a.first_acquired.size() < 13) continue;  // no real time: nothing to count
        auto days = parse_iso_date(a.first_acquired.substr(0, 10));
        auto span = normalize::seconds_between(a.first_acquired, a.last_acquired);
        if (!days) continue;
        Contribution c;
        c.device_serial = a.device_serial;
        c.day = a.first_acquired.substr(0, 10);
        c.weekday = static_cast<int>(((*days + 3) % 7 + 7) % 7) + 1;  // 1970-01-01 was a Thursday
        c.hour = std::clamp(std::atoi(a.first_acquired.substr(11, 2).c_str()), 0, 23);
        c.seconds = span && *span > 0 ? *span : 0.0;
        c.mr_series = a.mr_series;
        c.nex_sum = a.nex_sum;
        c.ct_studies = a.ct_dlp_mgycm ? 1 : 0;
        c.dlp_mgycm = a.ct_dlp_mgycm.value_or(0);
        out.push_back(std::move(c));
    }
    return out;
}

std::string encode(const std::vector<Contribution>& cs) {
    json a = json::array();
    for (const auto& c : cs)
        a.push_back({c.device_serial, c.day, c.weekday, c.hour, c.seconds, c.mr_series, c.nex_sum, c.ct_studies,
                     c.dlp_mgycm});
    return a.dump();
}

namespace {

// Element `i` of an encoded array, or zero when it was written before the element existed.
template <typename T>
T field_or_zero(const json& a, size_t i) {
    return a.size() > i ? a.at(i).get<T>() : T{};
}

}  // namespace

std::optional<std::vector<Contribution>> decode_contributions(const std::string& text) {
    try {
        std::vector<Contribution> out;
        for (const auto& e : json::parse(text)) {
            Contribution c;
            c.device_serial = e.at(0).get<std::string>();
            c.day = e.at(1).get<std::string>();
            c.weekday = e.at(2).get<int>();
            c.hour = e.at(3).get<int>();
            c.seconds = e.at(4).get<double>();
            c.mr_series = field_or_zero<long>(e, 5);
            c.nex_sum = field_or_zero<double>(e, 6);
            c.ct_studies = field_or_zero<long>(e, 7);
            c.dlp_mgycm = field_or_zero<double>(e, 8);
            out.push_back(std::move(c));
        }
        return out;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string encode(const DayTotals& t) {
    return json{t.studies, t.seconds, t.by_hour, t.mr_studies, t.mr_series, t.nex_sum, t.ct_studies, t.dlp_sum}.dump();
}

std::optional<DayTotals> decode_totals(const std::string& text) {
    try {
        auto j = json::parse(text);
        DayTotals t;
        t.studies = j.at(0).get<long>();
        t.seconds = j.at(1).get<double>();
        t.by_hour = j.at(2).get<std::array<long, 24>>();
        t.mr_studies = field_or_zero<long>(j, 3);
        t.mr_series = field_or_zero<long>(j, 4);
        t.nex_sum = field_or_zero<double>(j, 5);
        t.ct_studies = field_or_zero<long>(j, 6);
        t.dlp_sum = field_or_zero<double>(j, 7);
        return t;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void add(DayTotals& t, const Contribution& c, int sign) {
    t.studies += sign;
    t.seconds += sign * c.seconds;
    t.by_hour[static_cast<size_t>(std::clamp(c.hour, 0, 23))] += sign;
    t.mr_studies += c.mr_series > 0 ? sign : 0;
    t.mr_series += sign * c.mr_series;
    t.nex_sum += sign * c.nex_sum;
    t.ct_studies += sign * c.ct_studies;
    t.dlp_sum += sign * c.dlp_mgycm;
}

void merge(DayTotals& into, const DayTotals& t) {
    into.studies += t.studies;
    into.seconds += t.seconds;
    for (size_t h = 0; h < 24; ++h) into.by_hour[h] += t.by_hour[h];
    into.mr_studies += t.mr_studies;
    into.mr_series += t.mr_series;
    into.nex_sum += t.nex_sum;
    into.ct_studies += t.ct_studies;
    into.dlp_sum += t.dlp_sum;
}

std::optional<PublicDay> publish(const DayTotals& t, const Settings& s) {
    if (t.studies < std::max(1L, s.min_cell_studies)) return std::nullopt;
    PublicDay d;
    d.studies = t.studies;
    d.busy_minutes = 5 * std::lround(std::max(0.0, t.seconds) / 300.0);
    long off = 0;
    for (int h = 0; h < 24; ++h)
        if (h < s.opening_hour || h >= s.closing_hour) off += t.by_hour[static_cast<size_t>(h)];
    d.mostly_off_hours = off > t.studies / 2;
    return d;
}

// Only published days are summed: a week total that also counted the days held back would give
// their studies away as (week - published days).
std::optional<PublicWeek> publish_week(const std::vector<DayTotals>& days, const Settings& s) {
    DayTotals week;
    for (const auto& d : days)
        if (publish(d, s)) merge(week, d);
    long least = std::max(1L, s.min_cell_studies);
    if (week.studies < least) return std::nullopt;
    PublicWeek w;
    w.studies = week.studies;
    if (week.mr_studies >= least && week.mr_series > 0) {
        w.mr_series = week.mr_series;
        w.mean_nex = std::round(100.0 * week.nex_sum / static_cast<double>(week.mr_series)) / 100.0;
    }
    if (week.ct_studies >= least) {
        w.ct_studies = week.ct_studies;
        w.mean_dlp_mgycm = std::round(week.dlp_sum / static_cast<double>(week.ct_studies));
    }
    return w;
}

std::string week_of(const std::string& day) {
    auto days = parse_iso_date(day);
    if (!days) return {};
    return format_iso_date(*days - ((*days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

Settings read_settings(pqxx::work& tx) {
    Settings s;
    for (const auto& r : tx.exec("SELECT name, value FROM dicomlake.analysis_setting"
                                 " WHERE name IN ('opening_hour', 'closing_hour', 'min_cell_studies')")) {
        std::string name = r[0].as<std::string>();
        double v = r[1].as<double>();
        if (name == "opening_hour") s.opening_hour = v;
        else if (name == "closing_hour") s.closing_hour = v;
        else s.min_cell_studies = std::lround(v);
    }
    return s;
}

void replace(pqxx::work& tx, const Keyring& keys, const Settings& settings, const std::vector<std::string>& old_keys,
             const std::string& new_key, const std::vector<Contribution>& fresh) {
    auto old = take_old(tx, keys, old_keys);
    std::map<std::pair<std::string, std::string>, std::vector<std::pair<const Contribution*, int>>> by_day;
    for (const auto& c : old) by_day[{c.device_serial, c.day}].emplace_back(&c, -1);
    for (const auto& c : fresh) by_day[{c.device_serial, c.day}].emplace_back(&c, +1);
    std::set<std::pair<std::string, std::string>> weeks;
    for (const auto& [cell, changes] : by_day) {
        update_day(tx, keys, settings, cell.first, cell.second, changes);
        if (auto monday = week_of(cell.second); !monday.empty()) weeks.insert({cell.first, monday});
    }
    for (const auto& [device, monday] : weeks) update_week(tx, keys, settings, device, monday);
    for (const auto& c : old) update_weekhour(tx, c, -1);
    for (const auto& c : fresh) update_weekhour(tx, c, +1);
    if (!fresh.empty())
        tx.exec_params("INSERT INTO dicomlake.activity_contribution (activity_key, sealed) VALUES ($1, $2)", new_key,
                       keys.front()->seal(encode(fresh)));
}

bool is_stored(pqxx::work& tx, const Keyring& keys, const std::string& key, const std::vector<Contribution>& fresh) {
    auto r = tx.exec_params("SELECT sealed FROM dicomlake.activity_contribution WHERE activity_key = $1", key);
    if (r.empty()) return fresh.empty();
    auto plain = unseal_any(keys, r[0][0].as<std::string>());
    return plain && *plain == encode(fresh);
}

}  // namespace dicomlake::warehouse::activity
