// sink/mail/message: the rendered MIME text, read back by an independent parser (Python's
// `email` package), must hold the declared tree and every payload byte for byte.
#include "sink/mail/message.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace dicomlake::sink::mail {
namespace {

// An independent reader of the rendered text: Python's email package.
const std::string kParser = DICOMLAKE_SOURCE_DIR "/tests/support/smtpsink/mimetree.py";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class MessageTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/dicomlake-mime-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    // Renders, then parses with Python; returns the tree text.
    std::string parse(const Message& m, const std::string& id = "20261201.1@dicomlake.example") {
        rendered_ = render(m, "Tue, 01 Dec 2026 06:00:00 +0000", id);
        std::ofstream(dir_ + "/message.eml", std::ios::binary) << rendered_;
        const std::string cmd = "python3 '" + kParser + "' '" + dir_ + "/message.eml' '" + dir_ + "' 2>&1";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << "python could not parse the message";
        EXPECT_EQ(slurp(dir_ + "/defects.txt"), "0") << "the parser found defects";
        return slurp(dir_ + "/tree.txt");
    }
    std::string payload(int n) const { return slurp(dir_ + "/" + std::to_string(n)); }
    std::string headers() const { return slurp(dir_ + "/headers.txt"); }

    std::string dir_;
    std::string rendered_;
};

std::string all_bytes() {
    std::string s;
    for (int round = 0; round < 3; ++round)
        for (int b = 0; b < 256; ++b) s += static_cast<char>(b);
    return s;
}

Message full_message() {
    Message m;
    m.from = "dicomlake <reports@hospital.example>";
    m.to = {"chief@hospital.example", "physicist@hospital.example"};
    m.subject = "Rapport IRM \xE2\x80\x93 \xC3\xA9t\xC3\xA9 \xE2\x9C\x93";  // "Rapport IRM – été ✓"
    m.text = "Last night: 12 studies loaded.\r\nA line\nwith a bare LF and trailing spaces   \n";
    m.html = "<html><body><p>Last night: 12 studies</p><img src=\"cid:nex@dicomlake\"></body></html>";
    m.inline_images = {{"", "image/png", "nex@dicomlake", "\x89PNG\r\n\x1a\n" + all_bytes()},
                       {"dose.png", "image/png", "dose@dicomlake", std::string("\0\0\0", 3)}};
    m.attachments = {{"report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "",
                      "PK\x03\x04" + all_bytes()},
                     {"Bericht \xC3\x84rzte.html", "text/html; charset=utf-8", "", "<html>\xC3\xA4</html>"}};
    return m;
}

TEST_F(MessageTest, TreeAndPayloadsSurviveAnIndependentParser) {
    Message m = full_message();
    EXPECT_EQ(parse(m),
              "multipart/mixed\n"
              "  multipart/related\n"
              "    multipart/alternative\n"
              "      text/plain 1 none\n"
              "      text/html 2 none\n"
              "    image/png 3 cid=<nex@dicomlake> inline\n"
              "    image/png 4 cid=<dose@dicomlake> inline filename=dose.png\n"
              "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet 5 attachment filename=report.xlsx\n"
              "  text/html 6 attachment filename=Bericht \xC3\x84rzte.html\n");
    EXPECT_EQ(payload(1), m.text);
    EXPECT_EQ(payload(2), m.html);
    EXPECT_EQ(payload(3), m.inline_images[0].bytes);
    EXPECT_EQ(payload(4), m.inline_images[1].bytes);
    EXPECT_EQ(payload(5), m.attachments[0].bytes);
    EXPECT_EQ(payload(6), m.attachments[1].bytes);
}

TEST_F(MessageTest, HeadersAreTheDeclaredOnesAndTheSubjectDecodesBack) {
    parse(full_message());
    const std::string h = headers();
    const std::string expected =
        "From: dicomlake <reports@hospital.example>\n"
        "To: chief@hospital.example, physicist@hospital.example\n"
        "Subject: Rapport IRM \xE2\x80\x93 \xC3\xA9t\xC3\xA9 \xE2\x9C\x93\n"
        "Date: Tue, 01 Dec 2026 06:00:00 +0000\n"
        "Message-ID: <20261201.1@dicomlake.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=";
    EXPECT_EQ(h.substr(0, expected.size()), expected);
    EXPECT_EQ(std::count(h.begin(), h.end(), '\n'), 7) << "no other header: " << h;
    EXPECT_EQ(rendered_.find("\xC3\xA9"), std::string::npos) << "no raw 8-bit text anywhere in the message";
}

TEST_F(MessageTest, NamesThatAreNotAsciiAreEncodedAndDecodeBack) {
    Message m = full_message();
    m.from = "Radiologie M\xC3\xBCller <reports@hospital.example>";
    m.to = {"Dr. \xC3\x89lise Chef <chief@hospital.example>", "physicist@hospital.example"};
    parse(m);
    EXPECT_NE(headers().find("From: Radiologie M\xC3\xBCller <reports@hospital.example>\n"), std::string::npos)
        << headers();
    EXPECT_NE(headers().find("To: \"Dr. \xC3\x89lise Chef\" <chief@hospital.example>, physicist@hospital.example\n"),
              std::string::npos)
        << headers();
    EXPECT_EQ(rendered_.find("\xC3"), std::string::npos) << "no raw 8-bit text in the headers";
}

TEST_F(MessageTest, LevelsWithNothingInThemAreLeftOut) {
    Message m = full_message();
    m.attachments.clear();
    EXPECT_EQ(parse(m),
              "multipart/related\n"
              "  multipart/alternative\n"
              "    text/plain 1 none\n"
              "    text/html 2 none\n"
              "  image/png 3 cid=<nex@dicomlake> inline\n"
              "  image/png 4 cid=<dose@dicomlake> inline filename=dose.png\n");
    m.inline_images.clear();
    EXPECT_EQ(parse(m),
              "multipart/alternative\n"
              "  text/plain 1 none\n"
              "  text/html 2 none\n");
    m = full_message();
    m.inline_images.clear();
    EXPECT_EQ(parse(m),
              "multipart/mixed\n"
              "  multipart/alternative\n"
              "    text/plain 1 none\n"
              "    text/html 2 none\n"
              "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet 3 attachment filename=report.xlsx\n"
              "  text/html 4 attachment filename=Bericht \xC3\x84rzte.html\n");
}

TEST_F(MessageTest, HeaderInjectionDoesNotCreateHeaders) {
    Message m = full_message();
    m.subject = "Report\r\nBcc: everyone@elsewhere.example";
    m.to = {"chief@hospital.example\r\nBcc: x@elsewhere.example"};
    m.from = "a@hospital.example\nX-Injected: 1";
    m.attachments[0].filename = "r.xlsx\"\r\nX-Part: 1";
    parse(m);
    const std::string h = headers();
    EXPECT_EQ(h.find("\nBcc:"), std::string::npos) << h;
    EXPECT_EQ(h.find("\nX-Injected"), std::string::npos) << h;
    EXPECT_EQ(rendered_.find("\r\nBcc:"), std::string::npos);
    EXPECT_EQ(rendered_.find("\r\nX-Injected"), std::string::npos);
    EXPECT_EQ(rendered_.find("\r\nX-Part"), std::string::npos);
    EXPECT_NE(h.find("Subject: Report"), std::string::npos) << h;
}

TEST_F(MessageTest, LinesAreCrlfAndShorterThan999Octets) {
    Message m = full_message();
    m.subject = std::string(2000, 's') + " \xC3\xA9";
    m.text = std::string(5000, 'x');
    m.attachments[1].filename = std::string(300, 'a') + "\xC3\xA9" + std::string(300, 'b') + ".html";
    for (int i = 0; i < 60; ++i) m.to.push_back("recipient" + std::to_string(i) + "@hospital.example");
    parse(m);
    size_t start = 0;
    while (start < rendered_.size()) {
        size_t lf = rendered_.find('\n', start);
        ASSERT_NE(lf, std::string::npos) << "the message ends with CRLF";
        ASSERT_GT(lf, start) << "LF without CR at offset " << lf;
        ASSERT_EQ(rendered_[lf - 1], '\r') << "LF without CR at offset " << lf;
        EXPECT_LE(lf + 1 - start, 1000u) << "line at offset " << start;
        EXPECT_EQ(rendered_.substr(start, lf - 1 - start).find('\r'), std::string::npos) << "bare CR";
        start = lf + 1;
    }
    EXPECT_NE(headers().find("Subject: " + m.subject), std::string::npos);
    EXPECT_NE(slurp(dir_ + "/tree.txt").find("filename=" + m.attachments[1].filename), std::string::npos);
    EXPECT_NE(headers().find("recipient59@hospital.example"), std::string::npos);
}

TEST_F(MessageTest, BodiesThatLookLikeBoundariesDoNotSplitTheMessage) {
    Message m = full_message();
    const std::string first = render(m, "Tue, 01 Dec 2026 06:00:00 +0000", "20261201.1@dicomlake.example");
    const size_t at = first.find("boundary=\"") + 10;
    const std::string boundary = first.substr(at, first.find('"', at) - at);
    m.text = "\r\n--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nforged\r\n--" + boundary + "--\r\n";
    m.attachments[0].bytes = m.text;
    parse(m);
    EXPECT_EQ(payload(1), m.text);
    EXPECT_EQ(payload(5), m.text);
}

TEST_F(MessageTest, TheSameInputRendersTheSameBytes) {
    const Message m = full_message();
    const std::string date = "Tue, 01 Dec 2026 06:00:00 +0000";
    EXPECT_EQ(render(m, date, "a@dicomlake"), render(m, date, "a@dicomlake"));
    EXPECT_NE(render(m, date, "a@dicomlake"), render(m, date, "b@dicomlake"));
}

}  // namespace
}  // namespace dicomlake::sink::mail
