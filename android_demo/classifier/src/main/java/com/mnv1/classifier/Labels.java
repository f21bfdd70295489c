package com.mnv1.classifier;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * PaddleClas's label list: one "<index> <name>" line per class (imagenet1k_label_list.txt).
 * A line without a leading number is taken whole, as class = line number.
 */
public final class Labels {
    private final List<String> names;

    private Labels(List<String> names) {
        this.names = names;
    }

    public static Labels read(Reader reader) throws IOException {
        List<String> names = new ArrayList<>();
        BufferedReader lines = new BufferedReader(reader);
        String line;
        while ((line = lines.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            int space = line.indexOf(' ');
            boolean numbered = space > 0 && line.substring(0, space).chars().allMatch(Character::isDigit);
            names.add(numbered ? line.substring(space + 1).strip() : line);
        }
        return new Labels(names);
    }

    public int size() {
        return names.size();
    }

    public String name(int index) {
        return index >= 0 && index < names.size() ? names.get(index) : "class " + index;
    }
}
