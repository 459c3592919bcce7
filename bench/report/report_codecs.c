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

static int same_row(const rb_codec_rec *a, const rb_codec_rec *b)
{
    return strcmp(a->method, b->method) == 0 && strcmp(a->message, b->message) == 0 &&
           a->has_entries == b->has_entries && (!a->has_entries || a->entries == b->entries);
}

static void cell_md(FILE *o, const rb_codec_rec *c)
{
    char b1[32], b2[32], b3[32];
    if (!c) {
        fprintf(o, " – |");
    } else if (c->error) {
        fprintf(o, " error: %s |", c->error);
    } else {
        fprintf(o, " %s B · %s + %s µs |", commas(b1, sizeof b1, c->bytes),
                us(b2, sizeof b2, c->encode_us), us(b3, sizeof b3, c->decode_us));
    }
}

/* The table's head: one column per encoding. */
static void md_head(FILE *o, const rb_codec_rec *const *cols, size_t nc)
{
    fprintf(o, "## What each encoding costs\n\n");
    fprintf(o, "Size and CPU cost of each message in each stack's own library, measured in one\n"
               "process (`rpcbench codecs`), so a stack's cost per call splits into encoding and\n"
               "transport. Each cell: encoded bytes · encode + decode CPU µs per message.\n\n");
    fprintf(o, "| method | message | entries |");
    for (size_t k = 0; k < nc; k++)
        fprintf(o, " %s<br>%s |", cols[k]->encoding, cols[k]->library);
    fprintf(o, "\n|---|---|---:|");
    for (size_t k = 0; k < nc; k++)
        fprintf(o, "---:|");
    fprintf(o, "\n");
}

/* Encodings (columns) and rows in order of first appearance; the cell of
 * row r and column k is cells[r][k] (NULL: not measured). */
void rb_report_codecs_md(FILE *o, const rb_results *res)
{
    static const rb_codec_rec *cells[MAX_ROWS][MAX_COLS];
    const rb_codec_rec *rows[MAX_ROWS], *cols[MAX_COLS];
    size_t nr = 0, nc = 0;
    if (res->ncodecs == 0)
        return;
    memset(cells, 0, sizeof cells);
    for (size_t i = 0; i < res->ncodecs; i++) {
        const rb_codec_rec *c = &res->codecs[i];
        size_t r = 0, k = 0;
        if (!c->encoding)
            continue;
        while (k < nc && strcmp(c->encoding, cols[k]->encoding))
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
    md_head(o, cols, nc);
    for (size_t r = 0; r < nr; r++) {
        char b[32];
        if (rows[r]->has_fib_n)
            fprintf(o, "| %s(%lld) |", rows[r]->method, rows[r]->fib_n);
        else
            fprintf(o, "| %s |", rows[r]->method);
        fprintf(o, " %s | %s |", rows[r]->message,
                rows[r]->has_entries ? commas(b, sizeof b, rows[r]->entries) : "–");
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
            nr ? rows[0]->repetitions : 0);
}
