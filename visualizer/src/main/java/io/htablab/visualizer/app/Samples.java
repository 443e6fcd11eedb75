package io.htablab.visualizer.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The teaching scenarios shipped on the classpath under {@code samples/} (inside the hashtab jar). */
public final class Samples {
    public static final String DEFAULT = "02-collisions-and-chains.hts";

    private Samples() {
    }

    /** File names of the built-in samples, sorted. */
    public static List<String> list() {
        List<String> names = new ArrayList<>();
        try {
            URL url = Samples.class.getClassLoader().getResource("samples/" + "01-hashing-and-seed.hts");
            if (url == null) {
                url = Samples.class.getClassLoader().getResource("samples");
            }
            if (url == null) {
                return names;
            }
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.getFileSystem(uri);
                } catch (java.nio.file.FileSystemNotFoundException e) {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                }
                collect(fs.getPath("/samples"), names);
            } else {
                Path p = Path.of(uri);
                collect(Files.isDirectory(p) ? p : p.getParent(), names);
            }
        } catch (Exception e) {
            // no samples: the menu stays empty
        }
        Collections.sort(names);
        return names;
    }

    private static void collect(Path dir, List<String> names) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hts")).forEach(names::add);
        }
    }

    public static String read(String name) throws IOException {
        try (InputStream in = Samples.class.getClassLoader().getResourceAsStream("samples/" + name)) {
            if (in == null) {
                throw new IOException("no built-in sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The sample's first comment line ("Collisions and chains"), else a title made from its file name. */
    public static String title(String name) {
        try {
            String first = read(name).lines().findFirst().orElse("");
            if (first.startsWith("#")) {
                String t = first.substring(1).strip().replaceFirst("[.:]$", "");
                if (!t.isEmpty()) {
                    return t;
                }
            }
        } catch (IOException e) {
            // fall back to the file name
        }
        return fileTitle(name);
    }

    /** "02-collisions-and-chains.hts" becomes "Collisions and chains". */
    public static String fileTitle(String name) {
        String s = name.replaceFirst("\\.hts$", "").replaceFirst("^\\d+-", "").replace('-', ' ');
        return s.isEmpty() ? name : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
