// source/files: the scan groups instances of Part 10 and DICOM JSON files by study, skips
// DICOMDIR, names the files that are not DICOM, and a session hands each instance as a reader.
#include "source/files/files_source.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace dicomlake::source::files {
namespace {

namespace fs = std::filesystem;

class FilesSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/dicomlake-files-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A Part 10 CT instance with a pixel data element (never read).
    void part10(const std::string& rel, const char* study, const char* date, const char* sop, bool preamble = true) {
        fs::create_directories(fs::path(dir_ + "/" + rel).parent_path());
        DcmFileFormat file;
        DcmDataset* ds = file.getDataset();
        ds->putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        ds->putAndInsertString(DCM_SOPInstanceUID, sop);
        ds->putAndInsertString(DCM_StudyInstanceUID, study);
        ds->putAndInsertString(DCM_SeriesInstanceUID, (std::string(study) + ".1").c_str());
        if (date != nullptr) ds->putAndInsertString(DCM_StudyDate, date);
        ds->putAndInsertString(DCM_Modality, "CT");
        Uint16 pixels[4] = {1, 2, 3, 4};
        ds->putAndInsertUint16Array(DCM_PixelData, pixels, 4);
        E_FileWriteMode mode = preamble ? EWM_fileformat : EWM_dataset;
        ASSERT_TRUE(file.saveFile((dir_ + "/" + rel).c_str(), EXS_LittleEndianExplicit, EET_UndefinedLength,
                                  EGL_recalcGL, EPD_noChange, 0, 0, mode)
                        .good());
    }

    void text(const std::string& rel, const std::string& content) {
        fs::create_directories(fs::path(dir_ + "/" + rel).parent_path());
        std::ofstream(dir_ + "/" + rel) << content;
    }

    std::string dir_;
};

std::string json_instance(const char* study, const char* date, const char* sop) {
    return std::string("{\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"") + study +
           "\"]},\"00080020\":{\"vr\":\"DA\",\"Value\":[\"" + date + "\"]},\"00080018\":{\"vr\":\"UI\",\"Value\":[\"" +
           sop + "\"]}}";
}

TEST_F(FilesSourceTest, GroupsInstancesByStudyAndNamesFilesThatAreNotDicom) {
    part10("a/one.dcm", "1.2.3", "20260102", "1.2.3.1.1");
    part10("a/deeper/two", "1.2.3", "20260102", "1.2.3.1.2");       // no extension
    part10("b/IMG0001.XYZ", "1.2.4", "20251231", "1.2.4.1.1");      // any extension
    part10("b/bare.dcm", "1.2.4", "20251231", "1.2.4.1.2", false);  // a dataset without preamble
    part10("copy/one.dcm", "1.2.3", "20260102", "1.2.3.1.1");       // the same instance again
    part10("DICOMDIR", "9.9", "20260101", "9.9.9");                 // never an instance
    text("notes.txt", "not a DICOM file\n");
    text("c/export.json", "[" + json_instance("1.2.5", "20260103", "1.2.5.1") + "," +
                              json_instance("1.2.5", "20260103", "1.2.5.2") + "]");
    text("c/one.json", json_instance("1.2.3", "20260102", "1.2.3.9"));
    text("c/broken.json", "{\"0020000D\": [");

    FilesSource source({dir_});
    const Scan& scan = source.scan();
    EXPECT_EQ(scan.files, 9);  // every regular file but DICOMDIR
    EXPECT_EQ(scan.instances, 7);
    EXPECT_EQ(scan.duplicates, 1);
    std::vector<std::string> skipped;
    for (const auto& s : scan.skipped) skipped.push_back(fs::relative(s.path, dir_).string());
    std::sort(skipped.begin(), skipped.end());
    EXPECT_EQ(skipped, (std::vector<std::string>{"c/broken.json", "notes.txt"}));

    auto refs = source.list_all();
    ASSERT_EQ(refs.size(), 3u);
    EXPECT_EQ(refs[0].study_uid, "1.2.3");
    EXPECT_EQ(refs[0].study_date, "2026-01-02");
    EXPECT_EQ(refs[0].instances, 3);  // two Part 10 files and one JSON object
    EXPECT_EQ(refs[1].study_uid, "1.2.4");
    EXPECT_EQ(refs[1].study_date, "2025-12-31");
    EXPECT_EQ(refs[1].instances, 2);
    EXPECT_EQ(refs[2].study_uid, "1.2.5");
    EXPECT_EQ(refs[2].instances, 2);

    auto in_2026 = source.list_studies("2026-01-01", "2026-12-31");
    ASSERT_EQ(in_2026.size(), 2u);
    EXPECT_EQ(source.find_studies("StudyInstanceUID", "1.2.4").size(), 1u);
    EXPECT_TRUE(source.find_studies("StudyInstanceUID", "7.7").empty());
    EXPECT_THROW(source.find_studies("AccessionNumber", "A1"), SourceError);
    EXPECT_EQ(source.name().rfind("files:", 0), 0u);
}

TEST_F(FilesSourceTest, SessionHandsEachPart10InstanceAsAReaderWithoutPixelData) {
    part10("x/1.dcm", "1.2.4", "20251231", "1.2.4.1.1");
    part10("x/2.dcm", "1.2.4", "20251231", "1.2.4.1.2");
    FilesSource source({dir_});
    auto refs = source.list_all();
    ASSERT_EQ(refs.size(), 1u);
    auto session = source.open_session();
    std::vector<std::string> sops;
    bool pixel_data = false;
    session->fetch_study(refs[0], [&](model::DatasetReader& r, const InstanceMeta& meta) {
        EXPECT_EQ(meta.series_instances_on_pacs, -1);
        while (r.next()) {
            if (r.tag() == 0x7FE00010) pixel_data = true;
            if (r.tag() == 0x00080018)
                r.values([&](const model::RawValue& v) { sops.push_back(std::string(v.text)); });
        }
    });
    for (auto& s : sops)
        while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    std::sort(sops.begin(), sops.end());
    EXPECT_EQ(sops, (std::vector<std::string>{"1.2.4.1.1", "1.2.4.1.2"}));
    EXPECT_FALSE(pixel_data);

    fs::remove(dir_ + "/x/2.dcm");  // gone since the scan: the study fails whole
    EXPECT_THROW(session->fetch_study(refs[0], [](model::DatasetReader&, const InstanceMeta&) {}), SourceError);
}

TEST_F(FilesSourceTest, SessionHandsTheStudysInstancesOfAJsonFile) {
    text("export.json", "[" + json_instance("1.2.5", "20260103", "1.2.5.1") + "," +
                            json_instance("1.2.6", "20260103", "1.2.6.1") + "," +
                            json_instance("1.2.5", "20260103", "1.2.5.2") + "]");
    FilesSource source({dir_});
    auto refs = source.find_studies("StudyInstanceUID", "1.2.5");
    ASSERT_EQ(refs.size(), 1u);
    EXPECT_EQ(refs[0].instances, 2);
    std::vector<std::string> sops;
    source.open_session()->fetch_study(refs[0], [&](model::DatasetReader& r, const InstanceMeta&) {
        while (r.next())
            if (r.tag() == 0x00080018) r.values([&](const model::RawValue& v) { sops.push_back(std::string(v.text)); });
    });
    EXPECT_EQ(sops, (std::vector<std::string>{"1.2.5.1", "1.2.5.2"}));
}

TEST_F(FilesSourceTest, MissingPathIsAConfigurationError) {
    FilesSource source({dir_ + "/nowhere"});
    EXPECT_THROW(source.probe(), ConfigError);
    EXPECT_THROW(source.scan(), ConfigError);
}

}  // namespace
}  // namespace dicomlake::source::files
