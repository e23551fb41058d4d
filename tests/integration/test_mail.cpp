// Mail delivery against a real SMTP server on loopback (aiosmtpd, tests/support/smtpsink):
// STARTTLS and AUTH, refusals that must not be retried, failures that must be. Needs no lab.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "smtp_sink.hpp"
#include "sink/mail/message.hpp"
#include "sink/mail/smtp.hpp"

namespace dicomlake::testing {
namespace {

using sink::mail::MailError;
using sink::mail::Message;
using sink::mail::SmtpSettings;

constexpr const char* kUser = "mailer";
constexpr const char* kPassword = "Hx7-smtp-secret";

class Mail : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/dicomlake-mail-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        base_ = tmpl;
        // A throwaway certificate for 127.0.0.1, trusted through ca_file only.
        const CommandResult cert = run_shell(
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost "
            "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + shell_quote(base_ + "/key.pem") +
            " -out " + shell_quote(cert_file()));
        ASSERT_EQ(cert.exit_code, 0) << cert.output;
        const std::string password_file = base_ + "/password";
        std::ofstream(password_file) << kPassword << "\n";
        chmod(password_file.c_str(), 0600);
        secure_ = new Sink;
        secure_->start(base_, "secure",
                       {"--cert", cert_file(), "--key", base_ + "/key.pem", "--user", kUser, "--password-file",
                        password_file, "--refuse"});
        plain_ = new Sink;
        plain_->start(base_, "plain", {});
    }
    static void TearDownTestSuite() {
        for (Sink* s : {secure_, plain_})
            if (s != nullptr) s->stop();
        delete secure_;
        delete plain_;
        secure_ = plain_ = nullptr;
        run_shell("rm -rf " + shell_quote(base_));
    }
    static std::string cert_file() { return base_ + "/cert.pem"; }

    static SmtpSettings secure_settings() {
        SmtpSettings s;
        s.url = secure_->url();
        s.user = kUser;
        s.password = kPassword;
        s.ca_file = cert_file();
        s.attempts = 3;
        s.retry_pause_ms = 50;
        s.timeout_s = 10;
        return s;
    }

    // The MailError text of a send that must fail ("" when it did not).
    static std::string failure(const SmtpSettings& s, const std::vector<std::string>& to, const std::string& text) {
        try {
            sink::mail::send(s, "reports@hospital.example", to, text);
        } catch (const MailError& e) {
            return e.what();
        }
        return "";
    }

    static std::string base_;
    static Sink* secure_;
    static Sink* plain_;
};
std::string Mail::base_;
Sink* Mail::secure_ = nullptr;
Sink* Mail::plain_ = nullptr;

Message report_message() {
    Message m;
    m.from = "dicomlake <reports@hospital.example>";
    m.to = {"chief@hospital.example", "physicist@hospital.example"};
    m.subject = "dicomlake report 2026-11-30 \xE2\x80\x93 IRM";
    m.text = "Last night: 12 studies loaded.\r\n.\r\n.. a line with only dots above\r\n";
    m.html = "<html><body><img src=\"cid:nex@dicomlake\"></body></html>";
    std::string png = "\x89PNG\r\n\x1a\n";
    for (int b = 255; b >= 0; --b) png += static_cast<char>(b);
    m.inline_images = {{"", "image/png", "nex@dicomlake", png}};
    m.attachments = {{"report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "",
                      "PK\x03\x04" + png + png},
                     {"index.html", "text/html; charset=utf-8", "", "<!doctype html>\n<p>\xC3\xA9t\xC3\xA9</p>\n"}};
    return m;
}

TEST_F(Mail, DeliversOverStartTlsWithLoginAndEveryPartArrivesIntact) {
    const Message m = report_message();
    const std::string text = sink::mail::render(m, "Tue, 01 Dec 2026 06:00:00 +0000", "run-1@dicomlake.example");
    const size_t before = secure_->messages().size();
    const size_t logins = count_lines(read_file(secure_->log), "AUTH PLAIN ok");
    sink::mail::send(secure_settings(), m.from, m.to, text);

    const auto files = secure_->messages();
    ASSERT_EQ(files.size(), before + 1) << "one message delivered";
    const std::string log = read_file(secure_->log);
    EXPECT_NE(log.find("DATA " + std::to_string(before + 1) +
                       " from=reports@hospital.example to=chief@hospital.example,physicist@hospital.example"),
              std::string::npos)
        << log;
    EXPECT_EQ(count_lines(log, "AUTH PLAIN ok"), logins + 1) << log;

    const std::string saved = base_ + "/secure/" + std::to_string(before + 1) + ".eml";
    EXPECT_EQ(read_file(saved), text) << "the server received the rendered bytes, dot-stuffing undone";
    const std::string out = base_ + "/parsed";
    run_shell("rm -rf " + shell_quote(out) + " && mkdir " + shell_quote(out));
    const CommandResult parsed = run_shell("python3 " + shell_quote(kSmtpSupport + "mimetree.py") + " " +
                                           shell_quote(saved) + " " + shell_quote(out));
    ASSERT_EQ(parsed.exit_code, 0) << parsed.output;
    EXPECT_EQ(read_file(out + "/tree.txt"),
              "multipart/mixed\n"
              "  multipart/related\n"
              "    multipart/alternative\n"
              "      text/plain 1 none\n"
              "      text/html 2 none\n"
              "    image/png 3 cid=<nex@dicomlake> inline\n"
              "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet 4 attachment filename=report.xlsx\n"
              "  text/html 5 attachment filename=index.html\n");
    EXPECT_EQ(read_file(out + "/defects.txt"), "0");
    EXPECT_EQ(read_file(out + "/1"), m.text);
    EXPECT_EQ(read_file(out + "/2"), m.html);
    EXPECT_EQ(read_file(out + "/3"), m.inline_images[0].bytes);
    EXPECT_EQ(read_file(out + "/4"), m.attachments[0].bytes);
    EXPECT_EQ(read_file(out + "/5"), m.attachments[1].bytes);
    EXPECT_NE(read_file(out + "/headers.txt").find("Subject: " + m.subject), std::string::npos);
}

TEST_F(Mail, StartTlsRequiredButNotOfferedSendsNothing) {
    SmtpSettings s = secure_settings();
    s.url = plain_->url();
    const std::string e = failure(s, {"chief@hospital.example"}, "Subject: x\r\n\r\nbody\r\n");
    EXPECT_NE(e.find("STARTTLS was required"), std::string::npos) << e;
    EXPECT_EQ(e.find(kPassword), std::string::npos) << e;
    EXPECT_TRUE(plain_->messages().empty());
    EXPECT_EQ(count_lines(read_file(plain_->log), "RCPT"), 0u) << "no envelope sent in clear text";
}

TEST_F(Mail, LineBreaksInAddressesNeverReachTheServer) {
    SmtpSettings s = secure_settings();
    s.url = plain_->url();
    s.require_tls = false;
    const size_t rcpts = count_lines(read_file(plain_->log), "RCPT");
    const std::string e = failure(s, {"chief@hospital.example>\r\nRCPT TO:<other@elsewhere.example"},
                                  "Subject: x\r\n\r\nbody\r\n");
    EXPECT_NE(e.find("line break"), std::string::npos) << e;
    EXPECT_EQ(count_lines(read_file(plain_->log), "RCPT"), rcpts);
    EXPECT_TRUE(plain_->messages().empty());
}

TEST_F(Mail, RefusedRecipientFailsWithoutRetry) {
    const size_t before = secure_->messages().size();
    const size_t rcpts = count_lines(read_file(secure_->log), "RCPT refuse@hospital.example 550");
    const std::string e = failure(secure_settings(), {"refuse@hospital.example"}, "Subject: x\r\n\r\nbody\r\n");
    EXPECT_NE(e.find("550"), std::string::npos) << e;
    EXPECT_EQ(count_lines(read_file(secure_->log), "RCPT refuse@hospital.example 550"), rcpts + 1)
        << "a permanent refusal is asked once";
    EXPECT_EQ(secure_->messages().size(), before);
}

TEST_F(Mail, RefusedLoginFailsWithoutRetryAndWithoutThePassword) {
    SmtpSettings s = secure_settings();
    s.password = "Hx7-wrong-password";
    const size_t refused = count_lines(read_file(secure_->log), "AUTH");
    const std::string e = failure(s, {"chief@hospital.example"}, "Subject: x\r\n\r\nbody\r\n");
    EXPECT_NE(e.find("535"), std::string::npos) << e;
    EXPECT_NE(e.find("login"), std::string::npos) << e;
    EXPECT_EQ(e.find("Hx7"), std::string::npos) << e;
    EXPECT_EQ(count_lines(read_file(secure_->log), "AUTH"), refused + 1) << "a refused login is tried once";
}

TEST_F(Mail, UntrustedCertificateIsRefused) {
    SmtpSettings s = secure_settings();
    s.ca_file.clear();  // the system store does not know the throwaway certificate
    const size_t before = secure_->messages().size();
    const std::string e = failure(s, {"chief@hospital.example"}, "Subject: x\r\n\r\nbody\r\n");
    EXPECT_NE(e.find("certificate"), std::string::npos) << e;
    EXPECT_EQ(secure_->messages().size(), before);
}

// A server that greets every connection with 421 (busy) and hangs up: each try is one
// connection, counted here rather than taken from the code under test.
TEST_F(Mail, BusyServerIsRetriedTheConfiguredNumberOfTimes) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(fd, 8), 0);
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    std::atomic<int> connections{0};
    std::atomic<bool> done{false};
    std::thread server([&] {
        while (!done) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            int c = accept(fd, nullptr, nullptr);
            if (c < 0) continue;
            ++connections;
            const char greeting[] = "421 4.3.2 busy, try later\r\n";
            (void)!write(c, greeting, sizeof greeting - 1);
            close(c);
        }
    });
    SmtpSettings s = secure_settings();
    s.url = "smtp://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    s.attempts = 3;
    const std::string e = failure(s, {"chief@hospital.example"}, "Subject: x\r\n\r\nbody\r\n");
    done = true;
    server.join();
    close(fd);
    EXPECT_EQ(connections.load(), 3);
    EXPECT_NE(e.find("421"), std::string::npos) << e;
}

TEST_F(Mail, ClosedPortFailsAfterTheConfiguredAttempts) {
    SmtpSettings s = secure_settings();
    s.url = "smtp://127.0.0.1:" + std::to_string(free_port());
    s.attempts = 2;
    const std::string e = failure(s, {"chief@hospital.example"}, "Subject: x\r\n\r\nbody\r\n");
    EXPECT_NE(e.find("could not connect"), std::string::npos) << e;
    EXPECT_NE(e.find("2 attempts"), std::string::npos) << e;
    EXPECT_EQ(e.find(kPassword), std::string::npos) << e;
}

}  // namespace
}  // namespace dicomlake::testing
