#include "source/dicomweb/http_client.hpp"

#include <simdjson.h>

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
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

// Where a transfer writes, with the bound on its size. libcurl hands over decompressed data, so
// the bound here is the decompressed one: a gzip bomb is cut after max bytes, not at the end.
struct Sink {
    std::string* body;
    std::size_t max;
    CURL* curl;
    bool too_large = false;
};

// Room for `more` bytes and simdjson's padding after them: the declared length at once when
// the server gives one (else doubling), so a body is copied neither to grow nor to pad.
void make_room(Sink& sink, std::size_t more) {
    std::string& body = *sink.body;
    const std::size_t need = body.size() + more + simdjson::SIMDJSON_PADDING;
    if (need <= body.capacity()) return;
    curl_off_t declared = -1;
    if (curl_easy_getinfo(sink.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared) == CURLE_OK && declared > 0 &&
        static_cast<std::size_t>(declared) <= sink.max &&
        static_cast<std::size_t>(declared) + simdjson::SIMDJSON_PADDING >= need) {
        body.reserve(static_cast<std::size_t>(declared) + simdjson::SIMDJSON_PADDING);
        return;
    }
    body.reserve(std::max(need, body.capacity() * 2));
}

size_t on_data(char* ptr, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    if (sink->body->size() + size * n > sink->max) {
        sink->too_large = true;
        return 0;  // ends the transfer (CURLE_WRITE_ERROR)
    }
    make_room(*sink, size * n);
    sink->body->append(ptr, size * n);
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

// Also bounds the bytes received (compressed), for bodies without a Content-Length.
int on_progress(void* user, curl_off_t, curl_off_t received, curl_off_t, curl_off_t) {
    auto* sink = static_cast<Sink*>(user);
    if (received > 0 && static_cast<std::size_t>(received) > sink->max) {
        sink->too_large = true;
        return 1;
    }
    return stop_requested() ? 1 : 0;
}

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

double retry_after_seconds(const std::string& value, double cap) {
    double seconds = -1;
    if (!value.empty() && value.size() <= 12 && std::all_of(value.begin(), value.end(), ::isdigit)) {
        seconds = std::stod(value);
    } else if (!value.empty() && value.size() <= 64) {
        time_t when = curl_getdate(value.c_str(), nullptr);  // an HTTP-date
        if (when < 0) return -1;
        seconds = std::difftime(when, std::time(nullptr));
    } else {
        return -1;  // "-5", "soon", a megabyte of digits: not a delay the server can mean
    }
    return std::min(std::max(seconds, 0.0), cap);
}

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
    global_init();
    curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::perform(const std::string& url, const std::string& accept, int& curl_code,
                                 std::string& curl_error, bool& too_large) {
    CURL* c = static_cast<CURL*>(curl_);
    curl_easy_reset(c);  // keeps the connection cache
    HttpResponse resp;
    resp.body.swap(spare_);  // the memory of an earlier answer, handed back by recycle()
    resp.body.clear();
    Sink sink{&resp.body, options_.max_body_bytes, c};
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
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    // A declared Content-Length above the bound is refused before the body is read.
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes));
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
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &sink);
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
    too_large = sink.too_large || rc == CURLE_FILESIZE_EXCEEDED;
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

void HttpClient::wait_before_retry(int attempt, const HttpResponse* resp) const {
    double wait = std::min(options_.max_wait_s, options_.backoff_base_s * std::pow(2.0, attempt - 1) * jitter());
    if (resp != nullptr) wait = std::max(wait, retry_after_seconds(resp->header("retry-after"), options_.max_wait_s));
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
}

HttpResponse HttpClient::get(const std::string& url, const std::string& accept, const std::string& what,
                             const BodyCheck& check) {
    const int attempts = 1 + std::max(0, options_.retries);
    std::size_t last_malformed = 0;  // hash of the previous malformed body
    for (int attempt = 1;;) {
        int code = 0;
        bool too_large = false;
        std::string error;
        if (options_.breaker) options_.breaker->wait_if_open();
        if (options_.gate) options_.gate->enter();
        HttpResponse resp;
        try {
            resp = perform(url, accept, code, error, too_large);
        } catch (...) {
            if (options_.gate) options_.gate->leave();
            throw;
        }
        if (options_.gate) options_.gate->leave();
        if (too_large)
            throw SourceError(FailureKind::limit,
                              what + " to " + url_origin(url) + ": the answer is larger than " +
                                  std::to_string(options_.max_body_bytes >> 20) +
                                  " MB, received or decompressed (limits.max_response_mb; raise it only if the "
                                  "PACS's real answers are this large)");
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
            if (!check || resp.status != 200) return resp;
            try {
                check(resp);
                return resp;
            } catch (const SourceError& e) {
                std::size_t hash = std::hash<std::string>()(resp.body);
                bool same_again = attempt > 1 && hash == last_malformed;
                if (e.kind() != FailureKind::malformed || same_again || attempt >= attempts || stop_requested())
                    throw SourceError(e.kind(), std::string(e.what()) + " (after " + std::to_string(attempt) +
                                                    " attempt(s)" + (same_again ? ", the same answer each time" : "") +
                                                    ")");
                last_malformed = hash;
            }
            wait_before_retry(attempt, nullptr);
            ++attempt;
            continue;
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
        wait_before_retry(attempt, code == CURLE_OK ? &resp : nullptr);
        ++attempt;
    }
}

}  // namespace dicomlake::source::dicomweb
