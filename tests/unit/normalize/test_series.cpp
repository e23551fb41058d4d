// normalize/series: instances -> one row per series and one per study. Instances are built
// the way production builds them: DICOM JSON text walked by parse_metadata.
#include "normalize/series.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/dicom_json.hpp"

namespace dicomlake::normalize {
namespace {

// A small builder for DICOM JSON datasets.
class Ds {
public:
    Ds& str(const char* tag, const char* vr, const std::string& value) {
        return raw(tag, vr, "\"" + value + "\"");
    }
    Ds& num(const char* tag, const char* vr, double value) {
        std::string v = std::to_string(value);
        return raw(tag, vr, "\"" + v + "\"");
    }
    Ds& raw(const char* tag, const char* vr, const std::string& values) {
        add(std::string("\"") + tag + "\":{\"vr\":\"" + vr + "\",\"Value\":[" + values + "]}");
        return *this;
    }
    Ds& seq(const char* tag, const std::vector<Ds>& items) {
        std::string v;
        for (const auto& i : items) v += (v.empty() ? "" : ",") + i.json();
        return raw(tag, "SQ", v);
    }
    std::string json() const { return "{" + body_ + "}"; }

private:
    void add(const std::string& part) { body_ += (body_.empty() ? "" : ",") + part; }
    std::string body_;
};

model::Instance make(const Ds& ds) {
    model::KeepAllFilter keep;
    auto all = model::parse_metadata(ds.json(), keep);
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? model::Instance{} : std::move(all.front());
}

// A classic MR image of study "S", series `series`.
Ds mr(const std::string& series, int number, const std::string& study = "2.25.1",
      const std::string& modality = "MR") {
    Ds d;
    d.str("0020000D", "UI", study)
        .str("0020000E", "UI", series)
        .str("00080018", "UI", series + "." + std::to_string(number))
        .raw("00200013", "IS", std::to_string(number))
        .str("00080060", "CS", modality)
        .str("00080070", "LO", "Acme")
        .str("00080016", "UI", "1.2.840.10008.5.1.4.1.1.4");
    return d;
}

const SeriesRow* find_series(const StudyResult& r, const std::string& key) {
    for (const auto& s : r.series)
        if (s.series_key == key) return &s;
    return nullptr;
}

nlohmann::json attrs(const SeriesRow& row) { return nlohmann::json::parse(row.attributes_json); }

StudyResult run(std::vector<model::Instance> instances) {
    StudyAccumulator acc;
    for (auto& i : instances) acc.add(std::move(i));
    return acc.finish();
}

// ---------------------------------------------------------------------------------------------

TEST(Series, OneRowPerSeriesWithInstanceCounts) {
    std::vector<model::Instance> in;
    in.push_back(make(mr("2.25.20", 1)));
    in.push_back(make(mr("2.25.10", 1)));
    in.push_back(make(mr("2.25.20", 2)));
    in.push_back(make(mr("2.25.10", 2)));
    in.push_back(make(mr("2.25.20", 3)));
    StudyAccumulator acc;
    for (auto& i : in) acc.add(std::move(i));
    EXPECT_EQ(acc.instances(), 5);
    StudyResult r = acc.finish();
    ASSERT_EQ(r.series.size(), 2u);
    EXPECT_EQ(r.series[0].series_key, "2.25.10");  // sorted by key
    EXPECT_EQ(r.series[1].series_key, "2.25.20");
    EXPECT_EQ(r.series[0].instances, 2);
    EXPECT_EQ(r.series[1].instances, 3);
    for (const auto& s : r.series) {
        EXPECT_EQ(s.study_key, "2.25.1");
        EXPECT_EQ(s.modality, "MR");
        EXPECT_EQ(s.manufacturer, "Acme");
        EXPECT_EQ(s.sop_class_uid, "1.2.840.10008.5.1.4.1.1.4");
    }
    EXPECT_EQ(r.study.study_key, "2.25.1");
    EXPECT_EQ(r.study.series_count, 2);
    EXPECT_EQ(r.study.instance_count, 5);
    EXPECT_EQ(r.study.modalities, std::vector<std::string>{"MR"});
    EXPECT_EQ(r.study.content_hash.size(), 64u);
}

// Three instances whose per-instance values identify which one was the reference.
std::vector<Ds> three_echoes() {
    std::vector<Ds> v;
    for (int n : {1, 2, 3}) {
        Ds d = mr("2.25.5", n);
        d.num("00180081", "DS", 10.0 * n)  // EchoTime 10, 20, 30
            .num("00180080", "DS", 500)     // RepetitionTime: constant
            .str("0008103E", "LO", "desc-" + std::to_string(n))
            .raw("00200011", "IS", "\"" + std::to_string(100 + n) + "\"");
        v.push_back(d);
    }
    return v;
}

TEST(Series, ReferenceInstanceIsLowestInstanceNumberWhateverTheArrivalOrder) {
    const std::vector<Ds> base = three_echoes();
    std::vector<int> order = {0, 1, 2};
    std::string hash;
    int permutations = 0;
    do {
        std::vector<model::Instance> in;
        for (int i : order) in.push_back(make(base[static_cast<size_t>(i)]));
        StudyResult r = run(std::move(in));
        ASSERT_EQ(r.series.size(), 1u);
        const SeriesRow& s = r.series[0];
        ASSERT_TRUE(s.te_ms.has_value());
        EXPECT_DOUBLE_EQ(*s.te_ms, 10.0);
        ASSERT_TRUE(s.tr_ms.has_value());
        EXPECT_DOUBLE_EQ(*s.tr_ms, 500.0);
        EXPECT_EQ(s.series_description, "desc-1");
        ASSERT_TRUE(s.series_number.has_value());
        EXPECT_EQ(*s.series_number, 101);
        EXPECT_EQ(s.instances, 3);
        if (hash.empty()) hash = r.study.content_hash;
        EXPECT_EQ(r.study.content_hash, hash) << "order " << order[0] << order[1] << order[2];
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(permutations, 6);
}

TEST(Series, SeriesNumberSurvivesRoundValues) {
    // 100000 is shortest as "1e+05" in std::to_chars form: the number must not become 1.
    for (const char* number : {"\"100000\"", "200000", "\"7\"", "\"1001\""}) {
        Ds d = mr("2.25.5", 1);
        d.raw("00200011", "IS", number);
        StudyResult r = run([&] {
            std::vector<model::Instance> v;
            v.push_back(make(d));
            return v;
        }());
        std::string digits = number;
        digits.erase(std::remove(digits.begin(), digits.end(), '"'), digits.end());
        ASSERT_TRUE(r.series.at(0).series_number.has_value()) << number;
        EXPECT_EQ(*r.series[0].series_number, std::stol(digits)) << number;
    }
    Ds none = mr("2.25.5", 1);
    none.raw("00200011", "IS", "\"n/a\"");
    StudyResult r = run([&] {
        std::vector<model::Instance> v;
        v.push_back(make(none));
        return v;
    }());
    EXPECT_FALSE(r.series.at(0).series_number.has_value());
}

TEST(Series, InstanceWithoutInstanceNumberIsNotTheReference) {
    Ds no_number;
    no_number.str("0020000D", "UI", "2.25.1")
        .str("0020000E", "UI", "2.25.5")
        .str("00080018", "UI", "2.25.5.0")
        .num("00180081", "DS", 99);
    Ds numbered = mr("2.25.5", 7);
    numbered.num("00180081", "DS", 7);
    StudyResult r = run([&] {
        std::vector<model::Instance> v;
        v.push_back(make(no_number));
        v.push_back(make(numbered));
        return v;
    }());
    ASSERT_EQ(r.series.size(), 1u);
    ASSERT_TRUE(r.series[0].te_ms.has_value());
    EXPECT_DOUBLE_EQ(*r.series[0].te_ms, 7.0);
}

TEST(Series, ConstantAttributesGoToJsonAndDifferingOnesToVarying) {
    std::vector<model::Instance> in;
    for (int n : {1, 2, 3}) {
        Ds d = mr("2.25.5", n);
        d.num("00180081", "DS", 10.0 * n);               // differs
        if (n == 2) d.str("00204000", "LT", "only-in-2");  // ImageComments: missing in 1 and 3
        if (n == 1) d.str("00181030", "LO", "only-in-1");  // ProtocolName: missing in 2 and 3
        d.raw("00080008", "CS", R"("ORIGINAL","PRIMARY")");
        in.push_back(make(d));
    }
    StudyResult r = run(std::move(in));
    ASSERT_EQ(r.series.size(), 1u);
    const SeriesRow& s = r.series[0];
    nlohmann::json j = attrs(s);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["Modality"], "MR");
    EXPECT_EQ(j["Manufacturer"], "Acme");
    EXPECT_EQ(j["StudyInstanceUID"], "2.25.1");
    EXPECT_EQ(j["SeriesInstanceUID"], "2.25.5");
    EXPECT_EQ(j["ImageType"], nlohmann::json::array({"ORIGINAL", "PRIMARY"}));
    for (const char* gone : {"EchoTime", "ImageComments", "ProtocolName", "SOPInstanceUID", "InstanceNumber"})
        EXPECT_FALSE(j.contains(gone)) << gone;

    std::vector<std::string> varying = s.varying;
    std::sort(varying.begin(), varying.end());
    EXPECT_EQ(varying, (std::vector<std::string>{"EchoTime", "ImageComments", "ProtocolName"}));
}

TEST(Series, AttributeOrderOfTheInstancesDoesNotChangeTheRow) {
    // The same three instances, their attributes listed in different orders (one instance with
    // one attribute fewer): the series JSON text and the varying list are the same, and the
    // same as written out by hand: keys in PostgreSQL's jsonb order (shorter first, then
    // bytewise), which jsonb then stores without sorting them again.
    auto instance = [](int n, bool reversed, bool comments) {
        Ds d;
        std::vector<std::function<void(Ds&)>> parts = {
            [&](Ds& x) { x.str("0020000D", "UI", "2.25.1"); },
            [&](Ds& x) { x.str("0020000E", "UI", "2.25.5"); },
            [&](Ds& x) { x.str("00080018", "UI", "2.25.5." + std::to_string(n)); },
            [&](Ds& x) { x.raw("00200013", "IS", std::to_string(n)); },
            [&](Ds& x) { x.str("00080060", "CS", "MR"); },
            [&](Ds& x) { x.str("00080070", "LO", "Acme"); },
            [&](Ds& x) {
                if (comments) x.str("00204000", "LT", "note");
            },
        };
        if (reversed) std::reverse(parts.begin(), parts.end());
        for (auto& p : parts) p(d);
        return make(d);
    };
    auto row = [&](bool reversed_first) {
        std::vector<model::Instance> v;
        v.push_back(instance(1, reversed_first, true));
        v.push_back(instance(2, !reversed_first, false));
        v.push_back(instance(3, reversed_first, true));
        return run(std::move(v)).series.at(0);
    };
    const SeriesRow a = row(false), b = row(true);
    const std::string expected =
        R"({"Modality":"MR","Manufacturer":"Acme","StudyInstanceUID":"2.25.1","SeriesInstanceUID":"2.25.5"})";
    EXPECT_EQ(a.attributes_json, expected);
    EXPECT_EQ(b.attributes_json, expected);
    EXPECT_EQ(a.varying, std::vector<std::string>{"ImageComments"});
    EXPECT_EQ(b.varying, std::vector<std::string>{"ImageComments"});
}

TEST(Series, AnAttributeSentTwiceInOneInstanceIsNotASeriesValue) {
    // A hostile sender repeats a key: which value is right cannot be told, so the attribute is
    // listed as varying, whether the series has one instance or two.
    for (int instances : {1, 2}) {
        std::vector<model::Instance> v;
        for (int n = 1; n <= instances; ++n) {
            Ds d = mr("2.25.5", n);
            d.str("00081090", "LO", "Model A").str("00081090", "LO", "Model B");
            v.push_back(make(d));
        }
        const SeriesRow s = run(std::move(v)).series.at(0);
        EXPECT_FALSE(attrs(s).contains("ManufacturerModelName")) << instances;
        EXPECT_NE(std::find(s.varying.begin(), s.varying.end(), "ManufacturerModelName"), s.varying.end())
            << instances;
        EXPECT_EQ(attrs(s)["Manufacturer"], "Acme") << instances;
    }
}

TEST(Series, InstanceIdentityIsNeverASeriesAttribute) {
    // A single instance: everything is "constant", yet its identity is not series-level.
    StudyResult r = run([] {
        std::vector<model::Instance> v;
        v.push_back(make(mr("2.25.5", 1)));
        return v;
    }());
    nlohmann::json j = attrs(r.series.at(0));
    EXPECT_FALSE(j.contains("SOPInstanceUID"));
    EXPECT_FALSE(j.contains("InstanceNumber"));
    EXPECT_TRUE(j.contains("Modality"));
    EXPECT_TRUE(r.series[0].varying.empty());
}

TEST(Series, ImageTypeComesFromTheReferenceInstance) {
    // A single instance: it is the reference.
    Ds d = mr("2.25.5", 1);
    d.raw("00080008", "CS", R"("ORIGINAL","PRIMARY","M")");
    StudyResult one = run([&] {
        std::vector<model::Instance> v;
        v.push_back(make(d));
        return v;
    }());
    ASSERT_EQ(one.series.size(), 1u);
    EXPECT_EQ(one.series[0].image_type, R"(["ORIGINAL","PRIMARY","M"])");

    // Whatever the order, the lowest InstanceNumber's ImageType.
    Ds first = mr("2.25.5", 1);
    first.raw("00080008", "CS", R"("ORIGINAL","PRIMARY")");
    Ds second = mr("2.25.5", 2);
    second.raw("00080008", "CS", R"("DERIVED","SECONDARY")");
    for (bool reversed : {false, true}) {
        std::vector<model::Instance> v;
        v.push_back(make(reversed ? second : first));
        v.push_back(make(reversed ? first : second));
        StudyResult r = run(std::move(v));
        ASSERT_EQ(r.series.size(), 1u);
        EXPECT_EQ(r.series[0].image_type, R"(["ORIGINAL","PRIMARY"])") << "reversed " << reversed;
        EXPECT_EQ(r.series[0].varying, std::vector<std::string>{"ImageType"});
    }
}

TEST(Series, ActivityCountsMrSeriesWithNexButNoLocalizerOrDerivedImage) {
    std::vector<model::Instance> in;
    auto series = [&](const std::string& uid, const char* image_type, std::optional<double> nex) {
        Ds d = mr(uid, 1);
        d.str("00181000", "LO", "SN1").str("0008002A", "DT", "20261103081500").raw("00080008", "CS", image_type);
        if (nex) d.num("00180083", "DS", *nex);
        in.push_back(make(d));
    };
    series("2.25.1.1", R"("ORIGINAL","PRIMARY")", 2);
    series("2.25.1.2", R"("ORIGINAL","PRIMARY")", 1.5);
    series("2.25.1.3", R"("ORIGINAL","PRIMARY","LOCALIZER")", 1);
    series("2.25.1.4", R"("DERIVED","SECONDARY")", 3);
    series("2.25.1.5", R"("ORIGINAL","PRIMARY")", std::nullopt);
    StudyResult r = run(std::move(in));
    ASSERT_EQ(r.activity.size(), 1u);
    EXPECT_EQ(r.activity[0].device_serial, "SN1");
    EXPECT_EQ(r.activity[0].mr_series, 2);
    EXPECT_DOUBLE_EQ(r.activity[0].nex_sum, 3.5);
    EXPECT_FALSE(r.activity[0].ct_dlp_mgycm.has_value()) << "no dose report";
}

TEST(Series, AcquisitionRangeFromDateTimeAndFrameTimes) {
    std::vector<model::Instance> in;
    Ds a = mr("2.25.5", 1);
    a.str("00080022", "DA", "20261103").str("00080032", "TM", "081500");
    in.push_back(make(a));
    Ds b = mr("2.25.5", 2);
    b.str("0008002A", "DT", "20261103091000.5+0100");
    in.push_back(make(b));
    // Enhanced: frames at 07:00, 10:30 and 08:00; only the first is not summary-only.
    Ds c = mr("2.25.6", 1);
    std::vector<Ds> frames;
    for (const char* t : {"20261103070000", "20261103103000", "20261103080000"}) {
        Ds content;
        content.str("00189074", "DT", t);
        Ds frame;
        frame.seq("00209111", {content});
        frames.push_back(frame);
    }
    c.seq("52009230", frames);
    c.str("0008002A", "DT", "20261103120000");  // ignored: frame times are more precise
    in.push_back(make(c));

    StudyResult r = run(std::move(in));
    const SeriesRow* s5 = find_series(r, "2.25.5");
    const SeriesRow* s6 = find_series(r, "2.25.6");
    ASSERT_NE(s5, nullptr);
    ASSERT_NE(s6, nullptr);
    EXPECT_EQ(s5->first_acquired, "2026-11-03T08:15:00");
    EXPECT_EQ(s5->last_acquired, "2026-11-03T09:10:00.5");  // zone dropped: scanner clock time
    EXPECT_EQ(s6->first_acquired, "2026-11-03T07:00:00");
    EXPECT_EQ(s6->last_acquired, "2026-11-03T10:30:00");
    EXPECT_EQ(r.study.first_acquired, "2026-11-03T07:00:00");
    EXPECT_EQ(r.study.last_acquired, "2026-11-03T10:30:00");
    // Frame times are summaries, not series attributes.
    EXPECT_EQ(s6->attributes_json.find("PerFrameFunctionalGroupsSequence[1]"), std::string::npos);
}

TEST(Series, AcquisitionTimestampFallbacks) {
    auto ts = [](const Ds& d) { return acquisition_timestamp(make(d)); };
    Ds adt;
    adt.str("0008002A", "DT", "20261103081500.123+0100").str("00080022", "DA", "20200101").str("00080032", "TM",
                                                                                                  "000000");
    EXPECT_EQ(ts(adt), "2026-11-03T08:15:00.123");  // AcquisitionDateTime wins
    Ds date_time;
    date_time.str("00080022", "DA", "20261103").str("00080032", "TM", "0815");
    EXPECT_EQ(ts(date_time), "2026-11-03T08:15:00");
    Ds series_date;
    series_date.str("00080021", "DA", "20261104").str("00080032", "TM", "0815");
    EXPECT_EQ(ts(series_date), "2026-11-04T08:15:00");  // no AcquisitionDate: SeriesDate
    Ds content;
    content.str("00080023", "DA", "20261105").str("00080033", "TM", "101010");
    EXPECT_EQ(ts(content), "2026-11-05T10:10:10");
    Ds date_only;
    date_only.str("00080022", "DA", "20261103");
    EXPECT_EQ(ts(date_only), "");
    EXPECT_EQ(ts(Ds{}), "");
}

// Enhanced MR, Philips style: parameters in the shared functional groups.
Ds philips(int number) {
    Ds avg, timing, echo, pixel, modifier;
    avg.num("00180083", "DS", 2);
    timing.num("00180080", "DS", 3000).num("00180091", "IS", 12).num("00181314", "DS", 90);
    echo.raw("00189082", "FD", "95.5");
    pixel.num("00180050", "DS", 3.5);
    modifier.raw("00189079", "FD", "150,2200");
    Ds shared;
    shared.seq("00189119", {avg})
        .seq("00189112", {timing})
        .seq("00189114", {echo})
        .seq("00289110", {pixel})
        .seq("00189115", {modifier});
    Ds d = mr("2.25.5", number);
    d.seq("52009229", {shared}).num("00180087", "DS", 3);
    return d;
}

TEST(Series, EnhancedMrParametersFromSharedFunctionalGroups) {
    StudyResult r = run([] {
        std::vector<model::Instance> v;
        v.push_back(make(philips(1)));
        return v;
    }());
    const SeriesRow& s = r.series.at(0);
    ASSERT_TRUE(s.nex && s.tr_ms && s.te_ms && s.ti_ms && s.echo_train_length && s.flip_angle &&
                s.slice_thickness_mm && s.field_strength_t);
    EXPECT_DOUBLE_EQ(*s.nex, 2);
    EXPECT_DOUBLE_EQ(*s.tr_ms, 3000);
    EXPECT_DOUBLE_EQ(*s.te_ms, 95.5);
    EXPECT_DOUBLE_EQ(*s.ti_ms, 150);  // first of InversionTimes
    EXPECT_DOUBLE_EQ(*s.echo_train_length, 12);
    EXPECT_DOUBLE_EQ(*s.flip_angle, 90);
    EXPECT_DOUBLE_EQ(*s.slice_thickness_mm, 3.5);
    EXPECT_DOUBLE_EQ(*s.field_strength_t, 3);
    EXPECT_FALSE(s.ctdivol_mgy.has_value());
}

TEST(Series, EnhancedMrParametersFromFirstPerFrameItem) {
    // Siemens XA style: parameters only in the per-frame groups; frame 1 has other values,
    // which must not be used.
    auto frame = [](double nex, double tr, double te) {
        Ds avg, timing, echo;
        avg.num("00180083", "DS", nex);
        timing.num("00180080", "DS", tr);
        echo.raw("00189082", "FD", std::to_string(te));
        Ds f;
        f.seq("00189119", {avg}).seq("00189112", {timing}).seq("00189114", {echo});
        return f;
    };
    Ds d = mr("2.25.5", 1);
    d.seq("52009230", {frame(1, 2000, 80), frame(4, 9000, 120)});
    StudyResult r = run([&] {
        std::vector<model::Instance> v;
        v.push_back(make(d));
        return v;
    }());
    const SeriesRow& s = r.series.at(0);
    ASSERT_TRUE(s.nex && s.tr_ms && s.te_ms);
    EXPECT_DOUBLE_EQ(*s.nex, 1);
    EXPECT_DOUBLE_EQ(*s.tr_ms, 2000);
    EXPECT_DOUBLE_EQ(*s.te_ms, 80);
    EXPECT_FALSE(s.flip_angle.has_value());
}

TEST(Series, TopLevelBeatsSharedBeatsPerFrame) {
    Ds avg_shared, avg_frame, timing_frame;
    avg_shared.num("00180083", "DS", 2);
    avg_frame.num("00180083", "DS", 4);
    timing_frame.num("00180080", "DS", 7000);
    Ds shared, frame;
    shared.seq("00189119", {avg_shared});
    frame.seq("00189119", {avg_frame}).seq("00189112", {timing_frame});
    // Per-frame first in the JSON text, top level last: the order of appearance must not matter.
    Ds d;
    d.seq("52009230", {frame}).seq("52009229", {shared});
    Ds top = mr("2.25.5", 1);
    std::string text = d.json();
    std::string with_top = top.json();
    with_top.pop_back();
    with_top += "," + text.substr(1);  // merge the two objects
    std::string with_top_level_nex = with_top;
    with_top_level_nex.pop_back();
    with_top_level_nex += R"(,"00180083":{"vr":"DS","Value":["1"]}})";

    model::KeepAllFilter keep;
    auto only_groups = model::parse_metadata(with_top, keep);
    auto all_three = model::parse_metadata(with_top_level_nex, keep);
    ASSERT_EQ(only_groups.size(), 1u);
    ASSERT_EQ(all_three.size(), 1u);

    StudyAccumulator a;
    a.add(std::move(only_groups[0]));
    StudyResult ra = a.finish();
    ASSERT_TRUE(ra.series.at(0).nex && ra.series[0].tr_ms);
    EXPECT_DOUBLE_EQ(*ra.series[0].nex, 2);     // shared beats per-frame
    EXPECT_DOUBLE_EQ(*ra.series[0].tr_ms, 7000);  // per-frame when nothing else

    StudyAccumulator b;
    b.add(std::move(all_three[0]));
    StudyResult rb = b.finish();
    ASSERT_TRUE(rb.series.at(0).nex);
    EXPECT_DOUBLE_EQ(*rb.series[0].nex, 1);  // top level beats both
}

TEST(Series, CtdivolIsTheMeanOverInstancesThatCarryOne) {
    std::vector<model::Instance> in;
    for (int n : {1, 2, 3, 4}) {
        Ds d = mr("2.25.7", n);
        if (n == 1) d.raw("00189345", "FD", "10");
        if (n == 2) d.raw("00189345", "FD", "20");
        if (n == 3) {  // enhanced CT: in the shared group
            Ds exposure, shared;
            exposure.raw("00189345", "FD", "60");
            shared.seq("00189321", {exposure});
            d.seq("52009229", {shared});
        }
        in.push_back(make(d));  // n == 4: none
    }
    StudyResult r = run(std::move(in));
    ASSERT_TRUE(r.series.at(0).ctdivol_mgy.has_value());
    EXPECT_DOUBLE_EQ(*r.series[0].ctdivol_mgy, 30.0);
}

TEST(Series, ContentHashChangesWithAParameterOrAConstantAttribute) {
    auto hash_of = [](std::vector<Ds> ds) {
        std::vector<model::Instance> in;
        for (const auto& d : ds) in.push_back(make(d));
        return run(std::move(in)).study.content_hash;
    };
    const std::vector<Ds> base = three_echoes();
    const std::string h = hash_of(base);
    EXPECT_EQ(h, hash_of(base));

    std::vector<Ds> nex_added = base;
    nex_added[0].num("00180083", "DS", 3);  // the reference gains NumberOfAverages
    EXPECT_NE(hash_of(nex_added), h);

    std::vector<Ds> manufacturer;
    for (int n : {1, 2, 3}) {
        Ds d;
        d.str("0020000D", "UI", "2.25.1")
            .str("0020000E", "UI", "2.25.5")
            .str("00080018", "UI", "2.25.5." + std::to_string(n))
            .raw("00200013", "IS", std::to_string(n))
            .str("00080060", "CS", "MR")
            .str("00080070", "LO", "Other")
            .str("00080016", "UI", "1.2.840.10008.5.1.4.1.1.4")
            .num("00180081", "DS", 10.0 * n)
            .num("00180080", "DS", 500)
            .str("0008103E", "LO", "desc-" + std::to_string(n))
            .raw("00200011", "IS", "\"" + std::to_string(100 + n) + "\"");
        manufacturer.push_back(d);
    }
    EXPECT_NE(hash_of(manufacturer), h);

    std::vector<Ds> fewer(base.begin(), base.begin() + 2);
    EXPECT_NE(hash_of(fewer), h);
}

TEST(Series, StudyRowFromTheReferenceInstanceOfTheFirstSeries) {
    Ds a = mr("2.25.9", 1);
    a.str("00080020", "DA", "20261104").str("00101010", "AS", "050Y").num("00101030", "DS", 81);
    Ds b = mr("2.25.3", 2, "2.25.1", "SR");
    b.str("00080020", "DA", "20261103")
        .str("00081030", "LO", "Brain")
        .str("00101010", "AS", "045Y")
        .str("00100040", "CS", "F")
        .num("00101030", "DS", 80)
        .num("00101020", "DS", 1.75);
    StudyResult r = run([&] {
        std::vector<model::Instance> v;
        v.push_back(make(a));
        v.push_back(make(b));
        return v;
    }());
    EXPECT_EQ(r.study.study_date, "2026-11-03");  // series 2.25.3 sorts first
    EXPECT_EQ(r.study.study_description, "Brain");
    EXPECT_EQ(r.study.patient_age, "045Y");
    EXPECT_EQ(r.study.patient_sex, "F");
    ASSERT_TRUE(r.study.patient_weight_kg && r.study.patient_size_m);
    EXPECT_DOUBLE_EQ(*r.study.patient_weight_kg, 80);
    EXPECT_DOUBLE_EQ(*r.study.patient_size_m, 1.75);
    EXPECT_EQ(r.study.modalities, (std::vector<std::string>{"MR", "SR"}));
}

TEST(Series, MixingStudiesThrows) {
    StudyAccumulator acc;
    acc.add(make(mr("2.25.5", 1, "2.25.1")));
    EXPECT_THROW(acc.add(make(mr("2.25.5", 2, "2.25.2"))), std::runtime_error);
}

TEST(Series, InstanceWithoutSeriesOrStudyUidThrows) {
    StudyAccumulator acc;
    Ds no_series;
    no_series.str("0020000D", "UI", "2.25.1");
    EXPECT_THROW(acc.add(make(no_series)), std::runtime_error);
    Ds no_study;
    no_study.str("0020000E", "UI", "2.25.5");
    EXPECT_THROW(acc.add(make(no_study)), std::runtime_error);
}

TEST(Series, FinishWithoutInstancesThrows) {
    StudyAccumulator acc;
    EXPECT_EQ(acc.instances(), 0);
    EXPECT_THROW(acc.finish(), std::runtime_error);
}

}  // namespace
}  // namespace dicomlake::normalize
