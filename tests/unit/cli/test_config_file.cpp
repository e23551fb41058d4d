// cli/config_file: the TOML subset of the configuration file, errors with file:line.
#include "cli/config_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "util/error.hpp"

namespace dicomlake::cli {
namespace {

// The ConfigError message of parsing `text` as "test.toml", or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        parse_config_text(text, "test.toml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(ConfigFile, SectionsCommentsAndValueKinds) {
    const std::string text =
        "# dicomlake configuration\n"
        "top = \"level\"\n"
        "\n"
        "[pacs]   # the PACS\n"
        "url = \"http://pacs:8042/dicom-web\"  # trailing comment\n"
        "  concurrency   =   8\n"
        "timeout = 1.5\n"
        "verify_tls = false\n"
        "\t# indented comment\n"
        "[database]\n"
        "url = 'postgresql://u@h/db?x=\\n'\n"
        "batch_studies = -3\n"
        "flag = true\n";
    auto m = parse_config_text(text, "test.toml");
    ASSERT_EQ(m.size(), 8u);
    EXPECT_EQ(m.at("top").value, "level");
    EXPECT_EQ(m.at("top").line, 2);
    EXPECT_EQ(m.at("pacs.url").value, "http://pacs:8042/dicom-web");
    EXPECT_EQ(m.at("pacs.url").line, 5);
    EXPECT_EQ(m.at("pacs.concurrency").value, "8");
    EXPECT_EQ(m.at("pacs.concurrency").line, 6);
    EXPECT_EQ(m.at("pacs.timeout").value, "1.5");
    EXPECT_EQ(m.at("pacs.verify_tls").value, "false");
    EXPECT_EQ(m.at("database.url").value, "postgresql://u@h/db?x=\\n");  // literal: no escapes
    EXPECT_EQ(m.at("database.url").line, 11);
    EXPECT_EQ(m.at("database.batch_studies").value, "-3");
    EXPECT_EQ(m.at("database.flag").value, "true");
}

TEST(ConfigFile, StringEscapesAndHashesInsideStrings) {
    auto m = parse_config_text(R"(a = "tab\there\nquote\" back\\slash")" "\n"
                               R"(b = "# not a comment" # a comment)" "\n"
                               R"(c = "")" "\n"
                               R"(d = 'C:\path\# kept')" "\n"
                               "e = \"M\xC3\xBCller\"\n",
                               "t");
    EXPECT_EQ(m.at("a").value, "tab\there\nquote\" back\\slash");
    EXPECT_EQ(m.at("b").value, "# not a comment");
    EXPECT_EQ(m.at("c").value, "");
    EXPECT_EQ(m.at("d").value, "C:\\path\\# kept");
    EXPECT_EQ(m.at("e").value, "M\xC3\xBCller");
}

TEST(ConfigFile, CrLfLineEndings) {
    auto m = parse_config_text("[pacs]\r\nurl = \"http://x\"\r\nretries = 2\r\n", "t");
    EXPECT_EQ(m.at("pacs.url").value, "http://x");
    EXPECT_EQ(m.at("pacs.retries").value, "2");
}

TEST(ConfigFile, UnterminatedStringNamesFileAndLine) {
    std::string e = error_of("[pacs]\nurl = \"http://x\n");
    EXPECT_NE(e.find("test.toml:2"), std::string::npos) << e;
    EXPECT_NE(e.find("unterminated"), std::string::npos) << e;
    e = error_of("# c\n\nkey = 'abc\n");
    EXPECT_NE(e.find("test.toml:3"), std::string::npos) << e;
    EXPECT_NE(e.find("unterminated"), std::string::npos) << e;
    // An escaped quote does not close the string.
    e = error_of("a = \"abc\\\"\n");
    EXPECT_NE(e.find("test.toml:1"), std::string::npos) << e;
}

TEST(ConfigFile, DuplicateKeyNamesFileAndLine) {
    std::string e = error_of("[pacs]\nurl = \"a\"\nuser = \"u\"\nurl = \"b\"\n");
    EXPECT_NE(e.find("test.toml:4"), std::string::npos) << e;
    EXPECT_NE(e.find("pacs.url"), std::string::npos) << e;
    // The same key in two sections is not a duplicate; a section reopened is.
    EXPECT_EQ(error_of("[pacs]\nurl = \"a\"\n[database]\nurl = \"b\"\n"), "");
    e = error_of("[pacs]\nurl = \"a\"\n[database]\nurl = \"b\"\n[pacs]\nurl = \"c\"\n");
    EXPECT_NE(e.find("test.toml:6"), std::string::npos) << e;
}

TEST(ConfigFile, UnquotedTextIsRefusedWithAHint) {
    std::string e = error_of("[pacs]\nurl = http://pacs:8042/dicom-web\n");
    EXPECT_NE(e.find("test.toml:2"), std::string::npos) << e;
    EXPECT_NE(e.find("quotes"), std::string::npos) << e;
    EXPECT_NE(error_of("level = info\n").find("test.toml:1"), std::string::npos);
    EXPECT_NE(error_of("flag = True\n"), "");  // TOML booleans are lower case
    EXPECT_NE(error_of("n = 12abc\n"), "");
}

TEST(ConfigFile, SyntaxErrorsDoNotEchoValues) {
    // An unquoted password, a bad escape inside one, a malformed key holding one.
    for (const char* text : {"[pacs]\npassword = Hx7-planted\n", "[pacs]\npassword = \"Hx7\\planted\"\n",
                             "[pacs]\npassword Hx7-planted = 1\n"}) {
        std::string e = error_of(text);
        EXPECT_NE(e.find("test.toml:2"), std::string::npos) << e;
        EXPECT_EQ(e.find("Hx7"), std::string::npos) << "a value is echoed: " << e;
        EXPECT_EQ(e.find("planted"), std::string::npos) << "a value is echoed: " << e;
    }
}

TEST(ConfigFile, OnlyDecimalNumbersAreNumbers) {
    auto v = parse_config_text("a = 12\nb = -3.5\nc = 1e3\nd = +7\n", "t.toml");
    EXPECT_EQ(v.at("a").value, "12");
    EXPECT_EQ(v.at("b").value, "-3.5");
    EXPECT_EQ(v.at("c").value, "1e3");
    EXPECT_EQ(v.at("d").value, "+7");
    for (const char* bad : {"x = inf\n", "x = nan\n", "x = 0x10\n", "x = 1.2.3\n", "x = -\n", "x = 1e\n"})
        EXPECT_THROW(parse_config_text(bad, "t.toml"), ConfigError) << bad;
}

// Seen while fuzzing: "1e1e1" passed as a number, and a long run of "e1" overflowed the stack
// (one recursion per 'e').
TEST(ConfigFile, AnExponentIsASignAndDigitsOnly) {
    auto v = parse_config_text("a = 1e-3\nb = 2.5E+10\n", "t.toml");
    EXPECT_EQ(v.at("a").value, "1e-3");
    EXPECT_EQ(v.at("b").value, "2.5E+10");
    for (const char* bad : {"x = 1e1e1\n", "x = 1e+\n", "x = 1e1.5\n", "x = 1e--1\n"})
        EXPECT_THROW(parse_config_text(bad, "t.toml"), ConfigError) << bad;
    std::string deep = "x = 1";
    for (int i = 0; i < 20000; ++i) deep += "e1";
    EXPECT_THROW(parse_config_text(deep + "\n", "t.toml"), ConfigError);
}

TEST(ConfigFile, ArraysAndInlineTablesAreRefused) {
    for (const char* text : {"modalities = [\"MR\", \"CT\"]\n", "pacs = { url = \"x\" }\n", "[[pacs]]\nurl = \"x\"\n",
                             "[pacs.tls]\nca = \"x\"\n"}) {
        std::string e = error_of(text);
        EXPECT_NE(e, "") << text;
        EXPECT_NE(e.find("test.toml:1"), std::string::npos) << e;
    }
}

TEST(ConfigFile, OtherSyntaxErrorsNameTheLine) {
    struct Case {
        const char* text;
        const char* where;
    };
    const Case cases[] = {
        {"[pacs\n", "test.toml:1"},
        {"[pacs] url = \"x\"\n", "test.toml:1"},
        {"\n\njust words\n", "test.toml:3"},
        {"key =\n", "test.toml:1"},
        {"a b = 1\n", "test.toml:1"},
        {"\"quoted\" = 1\n", "test.toml:1"},
        {"a = \"x\" trailing\n", "test.toml:1"},
        {"a = \"bad \\q escape\"\n", "test.toml:1"},
        {"[]\n", "test.toml:1"},
    };
    for (const auto& c : cases) {
        std::string e = error_of(c.text);
        EXPECT_NE(e.find(c.where), std::string::npos) << c.text << " -> " << e;
    }
}

TEST(ConfigFile, ReadConfigFile) {
    char path[] = "/tmp/dicomlake-config-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    std::ofstream(path) << "[log]\nlevel = \"debug\"\n";
    auto m = read_config_file(path);
    EXPECT_EQ(m.at("log.level").value, "debug");
    std::ofstream(path) << "[log]\nlevel = debug\n";
    try {
        read_config_file(path);
        ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(std::string(path) + ":2"), std::string::npos) << e.what();
    }
    std::remove(path);
    EXPECT_THROW(read_config_file(path), ConfigError);
}

}  // namespace
}  // namespace dicomlake::cli
