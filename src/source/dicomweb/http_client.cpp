#include "source/dicomweb/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

#include "util/redact.hpp"
#include "util/signals.hpp"

namespace dicomlake::source::dicomweb {

namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_data(char* ptr, size_t size, size_t n, void* user) {
    auto* body = static_cast<std::string*>(user);
    body->append(ptr, size * n);
    return size * n;
}

size_t on_header(char* buffer, size_t size, size_t n, void* user) {
    auto* headers = static_cast<std::map<std::string, std::string>*>(user);
    std::string line(buffer, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        auto b = value.find_first_not_of(" \t");
        auto e = value.find_last_not_of(" \t\r\n");
        value = b == std::string::npos ? std::string() : value.substr(b, e - b + 1);
        auto& slot = (*headers)[name];
        slot = slot.empty() ? value : slot + ", " + value;
    } else if (line.rfind("HTTP/", 0) == 0) {
        headers->clear();  // a new response (after a redirect or 100-continue)
    }
    return size * n;
}

int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return stop_requested() ? 1 : 0; }

bool transient_status(long s) { return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504; }

bool transient_curl(int code) {
    switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

double jitter() {
    thread_local std::mt19937 rng(std::random_device{}());
    return std::uniform_real_distribution<double>(0.8, 1.2)(rng);
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

std::string url_origin(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto path = url.find('/', scheme + 3);
    std::string origin = path == std::string::npos ? url : url.substr(0, path);
    auto at = origin.find('@');  // never show user:password@
    if (at != std::string::npos) origin = origin.substr(0, scheme + 3) + origin.substr(at + 1);
    return origin;
}

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
    global_init();
    curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::perform(const std::string& url, const std::string& accept, int& curl_code,
                                 std::string& curl_error) {
    CURL* c = static_cast<CURL*>(curl_);
    curl_easy_reset(c);  // keeps the connection cache
    HttpResponse resp;
    char errbuf[CURL_ERROR_SIZE] = {0};
    struct curl_slist* hdrs = nullptr;
    std::string accept_header = "Accept: " + accept;
    hdrs = curl_slist_append(hdrs, accept_header.c_str());
    std::string bearer;
    if (!options_.bearer_token.empty()) {
        bearer = "Authorization: Bearer " + options_.bearer_token;
        hdrs = curl_slist_append(hdrs, bearer.c_str());
    }
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // whatever compression libcurl supports
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, options_.timeout_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "dicomlake/" DICOMLAKE_VERSION);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);  // for the stop check below
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    if (!options_.user.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, options_.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
    }
    if (!options_.verify_tls) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.client_cert.empty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, options_.client_cert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY, options_.client_key.c_str());
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hdrs);
    curl_code = rc;
    if (rc != CURLE_OK) {
        curl_error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        // The error text can quote the URL, whose path holds the study UID: keep libcurl's
        // generic text instead. Credentials it may quote are masked either way.
        if (curl_error.find(url) != std::string::npos) curl_error = curl_easy_strerror(rc);
        curl_error = redact(curl_error);
        return resp;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

HttpResponse HttpClient::get(const std::string& url, const std::string& accept, const std::string& what) {
    const int attempts = 1 + std::max(0, options_.retries);
    for (int attempt = 1;;) {
        int code = 0;
        std::string error;
        if (options_.breaker) options_.breaker->wait_if_open();
        if (options_.gate) options_.gate->enter();
        HttpResponse resp;
        try {
            resp = perform(url, accept, code, error);
        } catch (...) {
            if (options_.gate) options_.gate->leave();
            throw;
        }
        if (options_.gate) options_.gate->leave();
        bool transient = code != CURLE_OK ? transient_curl(code) : transient_status(resp.status);
        auto fail = [&](int tries) {
            FailureKind kind = code == CURLE_OPERATION_TIMEDOUT ? FailureKind::timeout : FailureKind::unreachable;
            throw SourceError(kind, what + " to " + url_origin(url) + " failed after " + std::to_string(tries) +
                                        " attempt(s): " + error);
        };
        if (!transient || stop_requested()) {
            if (options_.breaker && !transient) options_.breaker->success();
            if (code != CURLE_OK) fail(attempt);
            resp.body.reserve(resp.body.size() + simdjson::SIMDJSON_PADDING);
            return resp;
        }
        if (options_.breaker) {
            auto verdict = options_.breaker->failure();
            if (verdict == CircuitBreaker::Verdict::paused) continue;  // wait for the PACS; not an attempt
            if (verdict == CircuitBreaker::Verdict::give_up)
                throw SourceError(FailureKind::unreachable,
                                  what + " to " + url_origin(url) + ": the PACS kept failing through every pause of " +
                                      "the circuit breaker (last: " +
                                      (code != CURLE_OK ? error : "HTTP " + std::to_string(resp.status)) + ")");
        }
        if (attempt >= attempts) {
            if (code != CURLE_OK) fail(attempt);
            resp.body.reserve(resp.body.size() + simdjson::SIMDJSON_PADDING);
            return resp;
        }
        double wait = options_.backoff_base_s * std::pow(2.0, attempt - 1) * jitter();
        if (code == CURLE_OK) {
            std::string ra = resp.header("retry-after");
            if (!ra.empty() && std::all_of(ra.begin(), ra.end(), ::isdigit))
                wait = std::max(wait, std::min(60.0, std::stod(ra)));
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        ++attempt;
    }
}

}  // namespace dicomlake::source::dicomweb
