package com.mnv1.classifier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** A binary PPM (P6, 8-bit) as ARGB ints: what the command-line tool feeds the preprocessor. */
public final class Ppm {
    public final int width;
    public final int height;
    public final int[] argb;

    private Ppm(int width, int height, int[] argb) {
        this.width = width;
        this.height = height;
        this.argb = argb;
    }

    public static Ppm read(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        byte[] bytes = buffer.toByteArray();
        int[] position = {0};
        if (!"P6".equals(token(bytes, position))) {
            throw new IOException("not a binary PPM (P6)");
        }
        int width = Integer.parseInt(token(bytes, position));
        int height = Integer.parseInt(token(bytes, position));
        if (Integer.parseInt(token(bytes, position)) != 255) {
            throw new IOException("only 8-bit PPM is supported");
        }
        int start = position[0] + 1;
        if (bytes.length < start + width * height * 3) {
            throw new IOException("PPM is truncated");
        }
        int[] argb = new int[width * height];
        for (int i = 0; i < argb.length; i++) {
            int r = bytes[start + 3 * i] & 0xFF;
            int g = bytes[start + 3 * i + 1] & 0xFF;
            int b = bytes[start + 3 * i + 2] & 0xFF;
            argb[i] = 0xFF000000 | (r << 16) | (g << 8) | b;
        }
        return new Ppm(width, height, argb);
    }

    private static String token(byte[] bytes, int[] position) {
        int i = position[0];
        while (i < bytes.length && (Character.isWhitespace(bytes[i]) || bytes[i] == '#')) {
            if (bytes[i] == '#') {
                while (i < bytes.length && bytes[i] != '\n') {
                    i++;
                }
            }
            i++;
        }
        int start = i;
        while (i < bytes.length && !Character.isWhitespace(bytes[i])) {
            i++;
        }
        position[0] = i;
        return new String(bytes, start, i - start);
    }
}
