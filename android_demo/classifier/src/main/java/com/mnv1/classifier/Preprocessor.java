package com.mnv1.classifier;

/**
 * PaddleClas preprocessing in plain Java (no Android types), the same arithmetic as
 * lite/models/preprocess.py and cxx_demo/src/image.cc: resize the short side with bilinear filtering
 * (half-pixel centres, no antialiasing), centre-crop, RGB scaled to [0, 1], mean/std, NCHW.
 * Input pixels are ARGB ints as android.graphics.Bitmap#getPixels returns them.
 */
public final class Preprocessor {
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final int resizeShort;
    private final int crop;

    public Preprocessor(int resizeShort, int crop) {
        if (crop > resizeShort) {
            throw new IllegalArgumentException("crop " + crop + " exceeds resize " + resizeShort);
        }
        this.resizeShort = resizeShort;
        this.crop = crop;
    }

    public static Preprocessor paddleClas() {
        return new Preprocessor(256, 224);
    }

    public int crop() {
        return crop;
    }

    /** The 1 x 3 x crop x crop input tensor for ARGB pixels of a width x height image. */
    public float[] toTensor(int[] argb, int width, int height) {
        if (argb.length != width * height) {
            throw new IllegalArgumentException("expected " + width * height + " pixels, got " + argb.length);
        }
        double scale = (double) resizeShort / Math.min(width, height);
        int newWidth = (int) Math.round(width * scale);
        int newHeight = (int) Math.round(height * scale);
        float[] resized = resizeBilinear(argb, width, height, newWidth, newHeight);
        int left = (newWidth - crop) / 2;
        int top = (newHeight - crop) / 2;
        int plane = crop * crop;
        float[] tensor = new float[3 * plane];
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                int source = ((y + top) * newWidth + (x + left)) * 3;
                for (int c = 0; c < 3; c++) {
                    tensor[c * plane + y * crop + x] = (resized[source + c] / 255.0f - MEAN[c]) / STD[c];
                }
            }
        }
        return tensor;
    }

    /** RGB floats (height x width x 3) of the image resized with OpenCV INTER_LINEAR arithmetic. */
    static float[] resizeBilinear(int[] argb, int width, int height, int newWidth, int newHeight) {
        float[] out = new float[newWidth * newHeight * 3];
        double scaleX = (double) width / newWidth;
        double scaleY = (double) height / newHeight;
        for (int y = 0; y < newHeight; y++) {
            double sy = Math.max(0.0, (y + 0.5) * scaleY - 0.5);
            int y0 = Math.min((int) sy, height - 1);
            int y1 = Math.min(y0 + 1, height - 1);
            double fy = sy - y0;
            for (int x = 0; x < newWidth; x++) {
                double sx = Math.max(0.0, (x + 0.5) * scaleX - 0.5);
                int x0 = Math.min((int) sx, width - 1);
                int x1 = Math.min(x0 + 1, width - 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++) {
                    int shift = 16 - 8 * c; // R, G, B from ARGB
                    double top = channel(argb[y0 * width + x0], shift) * (1 - fx) + channel(argb[y0 * width + x1], shift) * fx;
                    double bottom = channel(argb[y1 * width + x0], shift) * (1 - fx) + channel(argb[y1 * width + x1], shift) * fx;
                    out[(y * newWidth + x) * 3 + c] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return out;
    }

    private static int channel(int pixel, int shift) {
        return (pixel >> shift) & 0xFF;
    }
}
