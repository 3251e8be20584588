/*  =========================================================================
    dp_live_conn - one subscriber's connection: its frames out, its close

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_conn.h"

#define S_MAX_MESSAGE   (1024 * 1024)

void
dp_live_conn_send (dp_live_conn_t *self, const char *text, size_t len)
{
    char *frame = (char *) malloc (LWS_PRE + len + 1);
    assert (frame);
    memcpy (frame + LWS_PRE, text, len);
    frame [LWS_PRE + len] = 0;
    zlistx_add_end (self->out, frame);
    lws_callback_on_writable (self->wsi);
}

void
dp_live_conn_message (dp_live_conn_t *self, const char *id, const char *type,
                      const char *payload, size_t len)
{
    self->protocol->message (self, id, type, payload, len);
}

void
dp_live_conn_close (dp_live_conn_t *self, int code, const char *reason)
{
    if (self->close_code)
        return;
    if (self->protocol->closing)
        self->protocol->closing (self);
    self->close_code = code;
    snprintf (self->close_reason, sizeof self->close_reason, "%s", reason);
    lws_callback_on_writable (self->wsi);
}

int
dp_live_conn_receive (dp_live_conn_t *self, const void *in, size_t len)
{
    if (self->rx_len + len > S_MAX_MESSAGE)
        return -1;
    self->rx = (char *) realloc (self->rx, self->rx_len + len + 1);
    assert (self->rx);
    memcpy (self->rx + self->rx_len, in, len);
    self->rx_len += len;
    self->rx [self->rx_len] = 0;
    return 0;
}

int
dp_live_conn_writable (dp_live_conn_t *self, enum lws_write_protocol protocol)
{
    char *frame = (char *) zlistx_first (self->out);
    if (frame) {
        size_t n = strlen (frame + LWS_PRE);
        if (lws_write (self->wsi, (unsigned char *) frame + LWS_PRE, n, protocol) < (int) n)
            return -1;
        zlistx_delete (self->out, zlistx_cursor (self->out));
        if (zlistx_size (self->out) || self->close_code)
            lws_callback_on_writable (self->wsi);
        return 0;
    }
    if (self->close_code && protocol == LWS_WRITE_TEXT)
        lws_close_reason (self->wsi, (enum lws_close_status) self->close_code,
                          (unsigned char *) self->close_reason, strlen (self->close_reason));
    return self->close_code ? -1 : 0;
}
