// Scanner utilization in real time without a per-study fingerprint (docs/privacy.md).
//
// Stored dates are shifted per patient by whole weeks, so weekday and time of day are true. A
// per-study row with real times would give each study's shift back by a join on device and
// time of day; so real time is kept only as aggregates:
//  - activity_day: per scanner and real day, studies and busy minutes (rounded to 5), published
//    only when the day has at least `min_cell_studies` studies; its exact totals are sealed in
//    activity_cell under a keyed hash of (device, day), so unpublished days are not even listed;
//  - activity_weekhour: per scanner, weekday and hour (no date: says nothing about a shift);
//  - activity_week: per scanner and real ISO week, the published days of the week summed (so
//    it says nothing of the days held back), with mean NEX and mean CT DLP rounded, each only
//    when enough studies of the week carry it.
// What a study added is kept sealed under its activity key, so a reload or a removal subtracts
// exactly that. Everything happens in the caller's transaction, together with the study rows.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "deid/pseudonym.hpp"
#include "normalize/series.hpp"

namespace dicomlake::warehouse::activity {

// The current key first, then older keys of the keyring (rows sealed under them are read with
// them and rewritten under the current one).
using Keyring = std::vector<const deid::Pseudonymizer*>;

// One study's share of one scanner's activity.
struct Contribution {
    std::string device_serial;
    std::string day;  // real ISO day of the first acquisition
    int weekday = 1;  // ISO, 1 = Monday
    int hour = 0;     // of the first acquisition
    double seconds = 0;  // first to last acquisition
    long mr_series = 0;  // MR series with a NEX (no localizer, no derived image)
    double nex_sum = 0;
    long ct_studies = 0;  // 1 when the study has a CT dose total, on this scanner
    double dlp_mgycm = 0;
};

// Exact totals of one scanner-day.
struct DayTotals {
    long studies = 0;
    double seconds = 0;
    std::array<long, 24> by_hour{};  // studies by hour of their first acquisition
    long mr_studies = 0, mr_series = 0;  // studies with MR series, and those series
    double nex_sum = 0;
    long ct_studies = 0;
    double dlp_sum = 0;
};

struct Settings {
    double opening_hour = 6, closing_hour = 22;
    long min_cell_studies = 5;
};

// What activity_day shows for a scanner-day, or nothing when the day is too small to publish.
struct PublicDay {
    long studies = 0;
    long busy_minutes = 0;  // rounded to 5
    bool mostly_off_hours = false;
};

// What activity_week shows for a scanner-week: the sum of the week's published days. The MR
// (CT) part is published only when at least `min_cell_studies` of those studies have MR series
// (a CT dose total); means are rounded (NEX to 0.01, DLP to 1 mGy.cm).
struct PublicWeek {
    long studies = 0;
    std::optional<long> mr_series, ct_studies;
    std::optional<double> mean_nex, mean_dlp_mgycm;
};

std::vector<Contribution> contributions(const std::vector<normalize::ActivityRow>& rows);
std::string encode(const std::vector<Contribution>& c);
std::optional<std::vector<Contribution>> decode_contributions(const std::string& text);
std::string encode(const DayTotals& t);
std::optional<DayTotals> decode_totals(const std::string& text);
// Adds (sign +1) or subtracts (sign -1) one contribution.
void add(DayTotals& t, const Contribution& c, int sign);
std::optional<PublicDay> publish(const DayTotals& t, const Settings& s);
void merge(DayTotals& into, const DayTotals& t);
// `days`: the exact totals of the days of one scanner-week (any order, missing days absent).
std::optional<PublicWeek> publish_week(const std::vector<DayTotals>& days, const Settings& s);
// The ISO Monday of the week of `day` (ISO), or empty when `day` is no date.
std::string week_of(const std::string& day);

Settings read_settings(pqxx::work& tx);

// Replaces whatever contributions are stored under `old_keys` (sealed under any key of the
// keyring) by `fresh` stored under `new_key` (no row when `fresh` is empty), and updates the
// aggregates by the difference.
void replace(pqxx::work& tx, const Keyring& keys, const Settings& settings, const std::vector<std::string>& old_keys,
             const std::string& new_key, const std::vector<Contribution>& fresh);

// Whether exactly `fresh` is stored under `key`: false for a study loaded before utilization was
// kept, or before the contribution had its present fields (it is counted again).
bool is_stored(pqxx::work& tx, const Keyring& keys, const std::string& key, const std::vector<Contribution>& fresh);

}  // namespace dicomlake::warehouse::activity
