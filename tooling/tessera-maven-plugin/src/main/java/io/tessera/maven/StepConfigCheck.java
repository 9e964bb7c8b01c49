package io.tessera.maven;

import java.lang.module.ModuleDescriptor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that the host can read a step's config: a record whose components are types a pipeline's {@code with:}
 * block can set. The kinds are the ones the host's config schema reads ({@code io.tessera.host.internal.pipeline
 * .ConfigSchema#kindOf}, docs/pipelines.md "Config values"): {@code int}, {@code short}, {@code long}, {@code double},
 * {@code float}, {@code boolean} and their boxes, {@code String}, enums, {@code Path}, and {@code List} of any of
 * these but enums and lists, and records of such components (nested blocks, such as the training module's
 * {@code TrainingOptions} under {@code training:}).
 */
final class StepConfigCheck {

    private static final Set<Class<?>> SCALARS = Set.of(int.class, Integer.class, short.class, Short.class, long.class,
            Long.class, double.class, Double.class, float.class, Float.class, boolean.class, Boolean.class,
            String.class, Path.class);

    private final ModuleDescriptor module;
    private final Class<?> stepType;

    StepConfigCheck(ModuleDescriptor module, Class<?> stepType) {
        this.module = module;
        this.stepType = stepType;
    }

    void check(Class<?> step, List<String> errors, List<String> warnings) {
        Type config = configTypeOf(step, new HashMap<>());
        if (!(config instanceof Class<?> type)) {
            warnings.add("step " + step.getName() + ": its config type is not a class the build can see (" + config
                    + "); implement Step<YourConfigRecord> so it can be checked");
            return;
        }
        if (!type.isRecord()) {
            errors.add("step " + step.getName() + " declares config type " + type.getName() + ", which is not a "
                    + "record: the host derives the config schema from record components; make it a record");
            return;
        }
        checkComponents(step, type, type.getSimpleName(), errors, 0);
        String pkg = type.getPackageName();
        if (module.packages().contains(pkg) && !readable(pkg)) {
            warnings.add("step " + step.getName() + ": config record " + type.getName() + " is in package " + pkg
                        + ", which module " + module.name() + " neither exports nor opens; the host opens it for a "
                        + "plugin in a plugin folder, but cannot for one on the module path. Add 'exports " + pkg
                        + ";' to module-info to be readable everywhere");
        }
    }

    private static void checkComponents(Class<?> step, Class<?> type, String prefix, List<String> errors,
            int depth) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getType().isRecord() && depth < 8) {
                checkComponents(step, c.getType(), prefix + "." + c.getName(), errors, depth + 1);
                continue;
            }
            String problem = unsupported(c);
            if (problem != null) {
                errors.add("step " + step.getName() + ": config " + prefix + "." + c.getName() + " has "
                        + "type " + c.getGenericType().getTypeName() + ", " + problem + "; use int, long, double, "
                        + "float, boolean, String, an enum, Path, a List of those or a record of such components");
            }
        }
    }

    private boolean readable(String pkg) {
        if (module.isOpen()) {
            return true;
        }
        for (ModuleDescriptor.Exports e : module.exports()) {
            if (e.source().equals(pkg) && !e.isQualified()) {
                return true;
            }
        }
        for (ModuleDescriptor.Opens o : module.opens()) {
            if (o.source().equals(pkg) && !o.isQualified()) {
                return true;
            }
        }
        return false;
    }

    private static String unsupported(RecordComponent c) {
        Class<?> raw = c.getType();
        if (SCALARS.contains(raw) || raw.isEnum()) {
            return null;
        }
        if (raw == List.class) {
            if (c.getGenericType() instanceof ParameterizedType pt
                    && pt.getActualTypeArguments()[0] instanceof Class<?> element) {
                return SCALARS.contains(element) ? null : "a list of " + element.getSimpleName()
                        + ", which pipelines cannot set";
            }
            return "a list without a concrete element type, which pipelines cannot set";
        }
        return "which pipelines cannot set";
    }

    /** The {@code C} of {@code Step<C>} as {@code step} binds it, resolving type variables through superclasses. */
    private Type configTypeOf(Class<?> type, Map<TypeVariable<?>, Type> bindings) {
        if (type == null || type == Object.class) {
            return null;
        }
        for (Type i : type.getGenericInterfaces()) {
            Type found = fromSupertype(i, bindings);
            if (found != null) {
                return found;
            }
        }
        return fromSupertype(type.getGenericSuperclass(), bindings);
    }

    private Type fromSupertype(Type supertype, Map<TypeVariable<?>, Type> bindings) {
        if (supertype instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
            Type[] args = pt.getActualTypeArguments();
            if (raw == stepType) {
                return resolve(args[0], bindings);
            }
            Map<TypeVariable<?>, Type> next = new HashMap<>(bindings);
            TypeVariable<?>[] vars = raw.getTypeParameters();
            for (int i = 0; i < vars.length && i < args.length; i++) {
                next.put(vars[i], resolve(args[i], bindings));
            }
            return configTypeOf(raw, next);
        }
        if (supertype instanceof Class<?> raw) {
            return raw == stepType ? null : configTypeOf(raw, Map.of());
        }
        return null;
    }

    private static Type resolve(Type t, Map<TypeVariable<?>, Type> bindings) {
        return t instanceof TypeVariable<?> v && bindings.containsKey(v) ? bindings.get(v) : t;
    }
}
