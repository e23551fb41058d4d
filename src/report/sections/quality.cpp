// Data quality: series without the fields the analyses need (v_data_quality), and MR series
// whose protocol is neither derived nor mapped (v_protocol_unmapped).
#include "report/sections/sections.hpp"

namespace dicomlake::report::sections {

namespace {

Table missing(Context& c) {
    Table t{"quality_missing", "Series missing key fields", "dicomlake.v_data_quality",
            "Per scanner and modality, the share of series missing each field an analysis needs (only groups with "
            "a gap are listed).",
            {text_column("device_serial", "Scanner"), text_column("modality", "Modality"),
             count_column("series", "Series"), number_column("missing_nex", "No NEX", "share", 2),
             number_column("missing_tr", "No TR", "share", 2), number_column("missing_te", "No TE", "share", 2),
             number_column("missing_ctdivol", "No CTDIvol", "share", 2),
             number_column("missing_protocol", "No protocol", "share", 2),
             number_column("missing_acquisition_time", "No scan time", "share", 2),
             number_column("missing_device_serial", "No device serial", "share", 2)},
            {}};
    return query_table(c.tx,
                       "SELECT * FROM dicomlake.v_data_quality"
                       " WHERE greatest(missing_nex, missing_tr, missing_te, missing_ctdivol, missing_protocol,"
                       "                missing_acquisition_time, missing_device_serial) > 0"
                       " ORDER BY device_serial, modality",
                       std::move(t));
}

Table unmapped(Context& c) {
    Table t{"protocol_unmapped", "MR series without a protocol", "dicomlake.v_protocol_unmapped",
            "MR series whose protocol could not be derived from physics nor mapped: add a row to "
            "dicomlake.protocol_map for each description that matters.",
            {text_column("device_serial", "Scanner"), text_column("series_description", "Series description"),
             count_column("series", "Series")},
            {}};
    return query_table(c.tx,
                       "SELECT * FROM dicomlake.v_protocol_unmapped ORDER BY series DESC, device_serial, series_description",
                       std::move(t));
}

}  // namespace

Section quality(Context& c) {
    Section s;
    s.id = "quality";
    s.title = "Data quality";
    s.meaning = "Which series lack what the analyses need, so gaps are seen rather than averaged away.";
    s.period = kAllStudies;
    s.clock = kStoredClock;
    long series = count_of(c.tx, "SELECT count(*) FROM dicomlake.series");
    if (series == 0) {
        s.empty_reason = "no series is loaded";
        return s;
    }
    Table gaps = missing(c);
    Table names = unmapped(c);
    long unmapped_series = 0;
    for (std::size_t i = 0; i < names.rows.size(); ++i)
        unmapped_series += static_cast<long>(number_at(names, i, "series").value_or(0));
    s.facts.push_back(plural(static_cast<long>(gaps.rows.size()), "scanner x modality group misses",
                             "scanner x modality groups miss") +
                      " a key field in some series");
    s.facts.push_back(plural(unmapped_series, "MR series has", "MR series have") + " no protocol (" +
                      plural(static_cast<long>(names.rows.size()), "description", "descriptions") + ")");
    if (!gaps.rows.empty()) s.tables.push_back(std::move(gaps));
    if (!names.rows.empty()) s.tables.push_back(std::move(names));
    return s;
}

}  // namespace dicomlake::report::sections
