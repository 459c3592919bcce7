/* report_codecs.c - "What each encoding costs": see report_codecs.h. */
#include "report/report_codecs.h"

#include <math.h>
#include <string.h>

#define MAX_COLS 8     /* encodings */
#define MAX_ROWS 256   /* method x message x entries */

/* n with thousands separators ("10,000"). */
static const char *commas(char *buf, size_t len, long long n)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "%lld", n < 0 ? -n : n), j = 0;
    if (n < 0 && len > 1)
        buf[j++] = '-';
    for (int i = 0; i < k && (size_t)j + 2 < len; i++) {
        if (i > 0 && (k - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = tmp[i];
    }
    buf[j] = '\0';
    return buf;
}

/* µs with about three significant digits (or to the ns below 1 µs). */
static const char *us(char *buf, size_t len, double v)
{
    if (v < 1)
        snprintf(buf, len, "%.3f", v);
    else if (v < 10)
        snprintf(buf, len, "%.2f", v);
    else if (v < 100)
        snprintf(buf, len, "%.1f", v);
    else
        commas(buf, len, llround(v));
    return buf;
}

static int same_row(const json_t *a, const json_t *b)
{
    return strcmp(json_string_value(json_object_get(a, "method")),
                  json_string_value(json_object_get(b, "method"))) == 0 &&
           strcmp(json_string_value(json_object_get(a, "message")),
                  json_string_value(json_object_get(b, "message"))) == 0 &&
           json_equal(json_object_get(a, "entries"), json_object_get(b, "entries"));
}

static void cell_md(FILE *o, const json_t *c)
{
    char b1[32], b2[32], b3[32];
    const json_t *err = json_object_get(c, "error");
    if (!c) {
        fprintf(o, " – |");
    } else if (json_is_string(err)) {
        fprintf(o, " error: %s |", json_string_value(err));
    } else {
        fprintf(o, " %s B · %s + %s µs |",
                commas(b1, sizeof b1, json_integer_value(json_object_get(c, "bytes"))),
                us(b2, sizeof b2, json_number_value(json_object_get(c, "encode_us"))),
                us(b3, sizeof b3, json_number_value(json_object_get(c, "decode_us"))));
    }
}

/* Encodings (columns) and rows in order of first appearance; the cell of
 * row r and column k is cells[r][k] (NULL: not measured). */
void rb_report_codecs_md(FILE *o, const json_t *codecs)
{
    static const json_t *cells[MAX_ROWS][MAX_COLS];
    const json_t *rows[MAX_ROWS], *cols[MAX_COLS];
    size_t nr = 0, nc = 0, i;
    const json_t *c;
    if (!json_is_array(codecs) || json_array_size(codecs) == 0)
        return;
    memset(cells, 0, sizeof cells);
    json_array_foreach(codecs, i, c) {
        const char *enc = json_string_value(json_object_get(c, "encoding"));
        size_t r = 0, k = 0;
        if (!enc)
            continue;
        while (k < nc && strcmp(enc, json_string_value(json_object_get(cols[k], "encoding"))))
            k++;
        while (r < nr && !same_row(rows[r], c))
            r++;
        if ((k == nc && nc == MAX_COLS) || (r == nr && nr == MAX_ROWS))
            continue;
        if (k == nc)
            cols[nc++] = c;
        if (r == nr)
            rows[nr++] = c;
        cells[r][k] = c;
    }

    fprintf(o, "## What each encoding costs\n\n");
    fprintf(o, "Size and CPU cost of each message in each stack's own library, measured in one\n"
               "process (`rpcbench codecs`), so a stack's cost per call splits into encoding and\n"
               "transport. Each cell: encoded bytes · encode + decode CPU µs per message.\n\n");
    fprintf(o, "| method | message | entries |");
    for (size_t k = 0; k < nc; k++)
        fprintf(o, " %s<br>%s |", json_string_value(json_object_get(cols[k], "encoding")),
                json_string_value(json_object_get(cols[k], "library")));
    fprintf(o, "\n|---|---|---:|");
    for (size_t k = 0; k < nc; k++)
        fprintf(o, "---:|");
    fprintf(o, "\n");
    for (size_t r = 0; r < nr; r++) {
        const json_t *e = json_object_get(rows[r], "entries"), *n = json_object_get(rows[r], "fib_n");
        char b[32];
        const char *method = json_string_value(json_object_get(rows[r], "method"));
        if (json_is_integer(n))
            fprintf(o, "| %s(%lld) |", method, (long long)json_integer_value(n));
        else
            fprintf(o, "| %s |", method);
        fprintf(o, " %s | %s |", json_string_value(json_object_get(rows[r], "message")),
                json_is_integer(e) ? commas(b, sizeof b, json_integer_value(e)) : "–");
        for (size_t k = 0; k < nc; k++)
            cell_md(o, cells[r][k]);
        fprintf(o, "\n");
    }
    fprintf(o, "\nBytes are the message alone, as each stack encodes it: MessagePack the args\n"
               "array of a request ([n], [obj]) or the result (tcp adds [id, method, …] and a\n"
               "4-byte length, zerorpc its event header; the AMQP transports send it as the\n"
               "body); JSON an AMQP body sent as application/json; protobuf the\n"
               "serialized message (gRPC adds 5 bytes and HTTP/2 frames); XML-RPC the whole\n"
               "`<methodCall>` or `<methodResponse>` document (HTTP headers not counted). Encoding\n"
               "starts from, and decoding ends in, the program's own map (rb_obj), as the\n"
               "transports do; each decode is checked against the input (count and sum of\n"
               "values). CPU time is CLOCK_THREAD_CPUTIME_ID, the median of %lld repetitions\n"
               "of enough iterations to fill the time budget (50 ms per cell by default).\n\n",
            (long long)json_integer_value(json_object_get(rows[0], "repetitions")));
}
