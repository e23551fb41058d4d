#include "sink/mail/smtp.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "util/redact.hpp"

namespace dicomlake::sink::mail {

namespace {

struct Upload {
    const std::string* text = nullptr;
    size_t offset = 0;
};

size_t read_chunk(char* buffer, size_t size, size_t count, void* user) {
    auto* up = static_cast<Upload*>(user);
    const size_t n = std::min(size * count, up->text->size() - up->offset);
    std::memcpy(buffer, up->text->data() + up->offset, n);
    up->offset += n;
    return n;
}

// The address libcurl puts in MAIL FROM / RCPT TO: what is inside <...> when a display name
// comes with it ("dicomlake <reports@x>"), else the whole entry.
std::string envelope_address(const std::string& entry) {
    const size_t open = entry.find('<');
    const size_t close = entry.find('>', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos) return entry.substr(open + 1, close - open - 1);
    return entry;
}

struct Attempt {
    CURLcode code = CURLE_OK;
    long smtp_code = 0;      // the server's last reply code, 0 when none came
    std::string curl_text;   // libcurl's error buffer
};

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void configure(CURL* c, const SmtpSettings& s) {
    curl_easy_setopt(c, CURLOPT_URL, s.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // smtps:// is TLS from the first byte; on smtp:// STARTTLS is demanded or merely attempted.
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(s.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (!s.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.ca_file.c_str());
    if (!s.verify_tls) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!s.user.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
    }
    const long timeout = std::max(1, s.timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, std::min(timeout, 20L));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
}

Attempt try_once(const SmtpSettings& s, const std::string& from, const std::vector<std::string>& to,
                 const std::string& rendered) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    Attempt a;
    std::unique_ptr<CURL, CurlDeleter> c(curl_easy_init());
    if (!c) {
        a.code = CURLE_FAILED_INIT;
        return a;
    }
    curl_slist* list = nullptr;
    for (const auto& r : to) list = curl_slist_append(list, ("<" + envelope_address(r) + ">").c_str());
    std::unique_ptr<curl_slist, SlistDeleter> recipients(list);
    const std::string sender = "<" + envelope_address(from) + ">";
    Upload up{&rendered, 0};
    char errbuf[CURL_ERROR_SIZE] = {0};
    configure(c.get(), s);
    curl_easy_setopt(c.get(), CURLOPT_MAIL_FROM, sender.c_str());
    curl_easy_setopt(c.get(), CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(c.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c.get(), CURLOPT_READFUNCTION, read_chunk);
    curl_easy_setopt(c.get(), CURLOPT_READDATA, &up);
    curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
    a.code = curl_easy_perform(c.get());
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &a.smtp_code);
    a.curl_text = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(a.code);
    return a;
}

// A reply in 4xx (greylisting, mailbox busy, service not available) or a network failure may
// pass with time; 5xx (mailbox refused, authentication failed) and TLS problems will not.
bool transient(const Attempt& a) {
    if (a.smtp_code >= 500) return false;
    if (a.smtp_code >= 400) return true;
    switch (a.code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            return true;
        default:
            return false;
    }
}

std::string what_failed(const Attempt& a) {
    switch (a.code) {
        case CURLE_USE_SSL_FAILED:
            return "STARTTLS was required but the server does not offer it (use smtps://, enable STARTTLS on the "
                   "server, or allow plain SMTP on a trusted network with report.smtp_tls = optional)";
        case CURLE_LOGIN_DENIED:
            return "the server refused the login (check report.smtp_user and the password file)";
        case CURLE_PEER_FAILED_VERIFICATION:
            return "the server's TLS certificate was not trusted (check report.smtp_ca_file)";
        case CURLE_COULDNT_CONNECT:
            return "could not connect to the mail server";
        case CURLE_OPERATION_TIMEDOUT:
            return "the mail server did not answer in time";
        default:
            return a.smtp_code >= 400 ? "the server refused the message" : "the delivery failed";
    }
}

std::string describe(const SmtpSettings& s, const Attempt& a, int tries) {
    std::string text = what_failed(a);
    if (a.smtp_code >= 400) text += " (server answered " + std::to_string(a.smtp_code) + ")";
    text += "; libcurl: " + a.curl_text;
    text = "mail to " + s.url + " failed after " + std::to_string(tries) + (tries == 1 ? " attempt: " : " attempts: ") +
           text;
    // The password is nowhere in what libcurl or the server says, but masking is cheap and
    // this text goes to logs and the terminal.
    if (s.password.size() >= kMinRegisteredSecret)
        for (size_t at; (at = text.find(s.password)) != std::string::npos;) text.replace(at, s.password.size(), "***");
    return redact(text);
}

bool has_control(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

}  // namespace

void send(const SmtpSettings& settings, const std::string& from, const std::vector<std::string>& to,
          const std::string& rendered) {
    if (settings.url.rfind("smtp://", 0) != 0 && settings.url.rfind("smtps://", 0) != 0)
        throw MailError("the mail server URL must start with smtp:// or smtps://");
    if (to.empty()) throw MailError("no recipient for the mail");
    // The envelope addresses become SMTP command lines: a line break in one would smuggle in
    // commands of its own (another RCPT TO, a RSET).
    if (has_control(from) || std::any_of(to.begin(), to.end(), has_control))
        throw MailError("a sender or recipient address holds a line break or another control character: "
                        "check report.from and report.to");
    const int attempts = std::max(1, settings.attempts);
    for (int tried = 1;; ++tried) {
        const Attempt a = try_once(settings, from, to, rendered);
        if (a.code == CURLE_OK) return;
        if (tried >= attempts || !transient(a)) throw MailError(describe(settings, a, tried));
        std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(settings.retry_pause_ms) * tried));
    }
}

}  // namespace dicomlake::sink::mail
