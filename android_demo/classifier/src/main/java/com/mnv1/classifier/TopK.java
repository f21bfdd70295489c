package com.mnv1.classifier;

import java.util.ArrayList;
import java.util.List;

/** Softmax and the k best classes, ties broken by the lower class index (as lite/labels.py). */
public final class TopK {
    private TopK() {
    }

    public static final class Entry {
        public final int index;
        public final float probability;

        Entry(int index, float probability) {
            this.index = index;
            this.probability = probability;
        }
    }

    public static float[] softmax(float[] logits) {
        double peak = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            peak = Math.max(peak, v);
        }
        double total = 0;
        double[] exps = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            exps[i] = Math.exp(logits[i] - peak);
            total += exps[i];
        }
        float[] probabilities = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = (float) (exps[i] / total);
        }
        return probabilities;
    }

    public static List<Entry> best(float[] scores, int k) {
        List<Entry> entries = new ArrayList<>();
        boolean[] taken = new boolean[scores.length];
        for (int rank = 0; rank < Math.min(k, scores.length); rank++) {
            int chosen = -1;
            for (int i = 0; i < scores.length; i++) {
                if (!taken[i] && (chosen < 0 || scores[i] > scores[chosen])) {
                    chosen = i;
                }
            }
            taken[chosen] = true;
            entries.add(new Entry(chosen, scores[chosen]));
        }
        return entries;
    }
}
