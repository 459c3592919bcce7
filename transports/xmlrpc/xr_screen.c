/* xr_screen.c - the screen every XML-RPC document passes before xmlrpc-c
 * 1.33 parses it (requests in the server, replies in the client).
 *
 * Why: Debian's xmlrpc-c bundles an old Expat fork and crashes on some
 * input (an <i8> that is not a 64-bit integer, XML nested ~100,000 deep),
 * and XML allows encodings other than UTF-8: a UTF-16 document (byte-order
 * mark) or an encoding declaration would let bytes past a screen that reads
 * UTF-8 and reach the parser as something else. So the screen first makes
 * sure the parser will read exactly the bytes the screen reads: UTF-8 (or
 * its ASCII subset), no NUL, no other byte-order mark, no encoding
 * declaration but UTF-8/US-ASCII. Then one pass over the elements refuses
 * DOCTYPE (entity expansion), an invalid <i8>, nesting over
 * RB_XR_MAX_XML_DEPTH and, with limits, more elements or struct members
 * than the limits allow (decoding allocates per element, and xmlrpc-c's
 * struct insert is linear, so members cost CPU quadratically).
 */
#include "xr.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const rb_xr_limits rb_xr_request_limits = {
    .max_elements = RB_XR_MAX_ELEMENTS,
    .max_members = RB_XR_MAX_MEMBERS,
};

/* Is s[0..n) a decimal integer that fits int64 ("+"/"-" sign, leading
 * zeros allowed)? */
static int valid_i8(const char *s, size_t n)
{
    size_t k = 0;
    int neg = 0;
    if (k < n && (s[k] == '+' || s[k] == '-'))
        neg = s[k++] == '-';
    if (k == n)
        return 0;
    for (size_t m = k; m < n; m++)
        if (s[m] < '0' || s[m] > '9')
            return 0;
    while (k < n - 1 && s[k] == '0')
        k++;
    if (n - k < 19)
        return 1;
    if (n - k > 19)
        return 0;
    return memcmp(s + k, neg ? "9223372036854775808" : "9223372036854775807", 19) <= 0;
}

/* Skip to just past the terminator `end` (of length elen) at or after i;
 * len when there is none (the parser reports the unterminated construct). */
static size_t skip_past(const char *x, size_t len, size_t i, const char *end, size_t elen)
{
    const char *p = memmem(x + i, len - i, end, elen);
    return p ? (size_t)(p - x) + elen : len;
}

/* Offset of the first byte of x[0..len) that is not part of valid UTF-8
 * (overlong forms, surrogates and code points over U+10FFFF are invalid),
 * or len when all of it is valid. */
static size_t utf8_bad_at(const unsigned char *x, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint64_t w;
        if (len - i >= sizeof w) {   /* eight ASCII bytes at a time */
            memcpy(&w, x + i, sizeof w);
            if (!(w & 0x8080808080808080ull)) {
                i += sizeof w;
                continue;
            }
        }
        unsigned c = x[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;  /* overlong */
            else if (c == 0xED)
                hi = 0x9F;  /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;  /* overlong */
            else if (c == 0xF4)
                hi = 0x8F;  /* over U+10FFFF */
        } else {
            return i;
        }
        if (len - i <= n || x[i + 1] < lo || x[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= n; k++)
            if (x[i + k] < 0x80 || x[i + k] > 0xBF)
                return i;
        i += n + 1;
    }
    return len;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The encoding declared in the XML declaration that starts d[0..len), if
 * any: 0 when there is none or it names UTF-8 or US-ASCII (any case),
 * else RB_XR_FAULT_ENCODING with the reason in why. */
static int check_declaration(const char *d, size_t len, char *why, size_t whylen)
{
    if (len < 6 || memcmp(d, "<?xml", 5) != 0 || !(is_space(d[5]) || d[5] == '?'))
        return 0;
    size_t end = skip_past(d, len, 5, "?>", 2);
    /* "encoding" in any case: Expat reads only the lower-case name, but a
     * declaration we cannot read is refused rather than guessed at. */
    size_t i = 5;
    for (; i + 8 <= end; i++)
        if (strncasecmp(d + i, "encoding", 8) == 0)
            break;
    if (i + 8 > end)
        return 0;
    i += 8;
    while (i < end && is_space(d[i]))
        i++;
    if (i < end && d[i] == '=')
        i++;
    while (i < end && is_space(d[i]))
        i++;
    char q = i < end ? d[i] : 0;
    const char *v = d + i + 1;
    const char *vend = (q == '"' || q == '\'') ? memchr(v, q, end - i - 1) : NULL;
    if (vend) {
        size_t vl = (size_t)(vend - v);
        if ((vl == 5 && strncasecmp(v, "UTF-8", 5) == 0) ||
            (vl == 8 && strncasecmp(v, "US-ASCII", 8) == 0))
            return 0;
        snprintf(why, whylen, "encoding '%.*s' is not accepted: only UTF-8 (or US-ASCII)",
                 vl > 40 ? 40 : (int)vl, v);
    } else {
        snprintf(why, whylen, "unreadable encoding declaration: only UTF-8 is accepted");
    }
    return RB_XR_FAULT_ENCODING;
}

/* What the parser will read is what the screen reads: UTF-8 only. Sets
 * *start past a UTF-8 byte-order mark. Returns 0 or the fault code. */
static int check_encoding(const char *x, size_t len, size_t *start, char *why, size_t whylen)
{
    const unsigned char *u = (const unsigned char *)x;
    *start = 0;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        *start = 3;
    } else if (len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE))) {
        snprintf(why, whylen, "UTF-16/UTF-32 byte-order mark: only UTF-8 is accepted");
        return RB_XR_FAULT_ENCODING;
    } else if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) {
        snprintf(why, whylen, "UTF-32 byte-order mark: only UTF-8 is accepted");
        return RB_XR_FAULT_ENCODING;
    }
    const char *nul = memchr(x, '\0', len);
    if (nul) {
        snprintf(why, whylen, "NUL byte at offset %zu: not UTF-8 XML", (size_t)(nul - x));
        return RB_XR_FAULT_PARSE;
    }
    size_t bad = utf8_bad_at(u, len);
    if (bad < len) {
        snprintf(why, whylen, "invalid UTF-8 at offset %zu", bad);
        return RB_XR_FAULT_PARSE;
    }
    return check_declaration(x + *start, len - *start, why, whylen);
}

/* The start tag at x[i] (x[i] == '<', a name follows): checks it against
 * the limits and, for <i8>, its content. *next = just past the tag. Returns
 * 0, a fault code, or 1 when the tag is unterminated (left to the parser). */
static int screen_tag(const char *x, size_t len, size_t i, int *depth, size_t *elements,
                      size_t *members, const rb_xr_limits *lim, size_t *next, char *why,
                      size_t whylen)
{
    size_t j = i + 1, local = j;   /* local: the name after any prefix ("ex:i8") */
    while (j < len && x[j] != '>' && x[j] != '/' && !is_space(x[j]))
        if (x[j++] == ':')
            local = j;
    size_t name_end = j;
    char q = 0;
    for (; j < len; j++) {  /* on to its '>' (quotes may hold '>') */
        if (q) {
            if (x[j] == q)
                q = 0;
        } else if (x[j] == '"' || x[j] == '\'') {
            q = x[j];
        } else if (x[j] == '>') {
            break;
        }
    }
    if (j >= len)
        return 1;
    int empty = x[j - 1] == '/';
    if (!empty && ++*depth > RB_XR_MAX_XML_DEPTH) {
        snprintf(why, whylen, "XML nested deeper than %d elements", RB_XR_MAX_XML_DEPTH);
        return RB_XR_FAULT_TOOBIG;
    }
    size_t ll = name_end - local;
    ++*elements;
    if (ll == 6 && memcmp(x + local, "member", 6) == 0)
        ++*members;
    if (lim && lim->max_elements && *elements > lim->max_elements) {
        snprintf(why, whylen, "more than %zu XML elements", lim->max_elements);
        return RB_XR_FAULT_TOOBIG;
    }
    if (lim && lim->max_members && *members > lim->max_members) {
        snprintf(why, whylen, "more than %zu struct members", lim->max_members);
        return RB_XR_FAULT_TOOBIG;
    }
    if (ll == 2 && memcmp(x + local, "i8", 2) == 0) {
        const char *end = memchr(x + j + 1, '<', len - j - 1);
        size_t clen = end ? (size_t)(end - (x + j + 1)) : 0;
        if (empty || !end || (size_t)(end - x) + 1 >= len || end[1] != '/' ||
            !valid_i8(x + j + 1, clen)) {
            snprintf(why, whylen, "<i8> must hold a decimal 64-bit integer");
            return RB_XR_FAULT_INVALID;
        }
    }
    *next = j + 1;
    return 0;
}

/* memchr for the short hops between tags (a few bytes each, about 1,400
 * per 100-member struct): an inline loop costs less than a library call. */
static inline const char *find_byte(const char *p, const char *end, char c)
{
    while (p < end && *p != c)
        p++;
    return p < end ? p : NULL;
}

int rb_xr_screen_lim(const char *x, size_t len, const rb_xr_limits *lim, size_t *elements,
                     char *why, size_t whylen)
{
    size_t i = 0, members = 0, elems = 0;
    int depth = 0, rc = check_encoding(x, len, &i, why, whylen);
    while (rc == 0 && i < len) {
        const char *lt = find_byte(x + i, x + len, '<');
        if (!lt)
            break;
        i = (size_t)(lt - x);
        size_t rest = len - i;
        if (rest >= 4 && memcmp(lt, "<!--", 4) == 0) {
            i = skip_past(x, len, i + 4, "-->", 3);
        } else if (rest >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
            i = skip_past(x, len, i + 9, "]]>", 3);
        } else if (rest >= 2 && lt[1] == '?') {
            i = skip_past(x, len, i + 2, "?>", 2);
        } else if (rest >= 2 && lt[1] == '!') {
            snprintf(why, whylen, "DOCTYPE and entity declarations are not accepted");
            rc = RB_XR_FAULT_INVALID;
        } else if (rest >= 2 && lt[1] == '/') {
            depth--;
            const char *gt = find_byte(lt + 2, x + len, '>');
            i = gt ? (size_t)(gt - x) + 1 : len;
        } else {
            rc = screen_tag(x, len, i, &depth, &elems, &members, lim, &i, why, whylen);
            if (rc == 1) {
                rc = 0;
                break;
            }
        }
    }
    if (elements)
        *elements = elems;
    return rc;
}

int rb_xr_screen(const char *x, size_t len, char *why, size_t whylen)
{
    return rb_xr_screen_lim(x, len, NULL, NULL, why, whylen);
}
