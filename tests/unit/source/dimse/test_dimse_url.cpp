#include <gtest/gtest.h>

#include "source/dimse/dimse_url.hpp"
#include "util/error.hpp"

namespace dicomlake::source::dimse {
namespace {

TEST(DimseUrl, CalledAeTitleHostAndPort) {
    auto a = parse_dimse_url("dicom://LABPACS@127.0.0.1:4242");
    EXPECT_EQ(a.called_aet, "LABPACS");
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 4242);
}

TEST(DimseUrl, PortDefaultsTo104AndATrailingSlashIsIgnored) {
    auto a = parse_dimse_url("dicom://PACS@pacs.example.org/");
    EXPECT_EQ(a.host, "pacs.example.org");
    EXPECT_EQ(a.port, 104);
}

TEST(DimseUrl, Ipv6InBrackets) {
    auto a = parse_dimse_url("dicom://PACS@[::1]:11112");
    EXPECT_EQ(a.host, "::1");
    EXPECT_EQ(a.port, 11112);
}

TEST(DimseUrl, AeTitleWithSpacesAndSymbolsWithinSixteenCharacters) {
    EXPECT_EQ(parse_dimse_url("dicom://MY PACS-1@h:104").called_aet, "MY PACS-1");
    EXPECT_EQ(parse_dimse_url("dicom://ABCDEFGHIJKLMNOP@h:104").called_aet, "ABCDEFGHIJKLMNOP");
}

TEST(DimseUrl, RefusesWhatIsNotADimseAddress) {
    for (const char* bad : {"http://PACS@h:104", "dicom://h:104", "dicom://@h:104", "dicom://PACS@:104",
                            "dicom://PACS@h:", "dicom://PACS@h:0", "dicom://PACS@h:65536", "dicom://PACS@h:10a",
                            "dicom://ABCDEFGHIJKLMNOPQ@h:104", "dicom://A\\B@h:104", "dicom://   @h:104",
                            "dicom://PACS@h:104/path", "dicom://PACS@h:104?x=1", "dicom://PACS@[::1"})
        EXPECT_THROW(parse_dimse_url(bad), ConfigError) << bad;
}

TEST(DimseUrl, ValidAet) {
    EXPECT_TRUE(valid_aet("DICOMLAKE"));
    EXPECT_FALSE(valid_aet(""));
    EXPECT_FALSE(valid_aet("  "));
    EXPECT_FALSE(valid_aet("TAB\tAET"));
    EXPECT_FALSE(valid_aet(std::string(17, 'A')));
}

}  // namespace
}  // namespace dicomlake::source::dimse
