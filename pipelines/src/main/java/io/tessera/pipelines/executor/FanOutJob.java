package io.tessera.pipelines.executor;

import io.tessera.api.plugin.ServiceRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/** The items of one fan-out step that an {@link ItemExecutor} runs. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface FanOutJob {

    /** The pipeline's name. */
    String pipeline();

    /** The fan-out step's id. */
    String step();

    /** The run folder on the machine that runs the pipeline. */
    Path runDirectory();

    /**
     * The folder of item {@code index}: {@code steps/<step>/items/<index>/} of the run folder. An executor whose
     * workers see this path (same machine, shared file system) runs the item's pipeline with its run folder there.
     */
    Path itemDirectory(int index);

    /** The items still to run (finished items of a resumed run are left out), in matrix order. */
    List<ItemSpec> items();

    /** How often a failed item is tried again before it is reported failed. */
    int retries();

    /** The step's settings for this executor: the map under the key named after it ({@code spark: {...}}). */
    Map<String, Object> settings();

    /** The backend the run selected ({@code cpu}); items run with the same one. */
    String backend();

    /** The host's services; an executor that ships plugins finds their modules from the providers' layers. */
    ServiceRegistry services();

    /** Records an item's outcome (in any order, from any thread); the engine writes it to the run folder at once. */
    void finished(ItemOutcome outcome);

    /** True once the run is cancelled or another step failed; stop submitting items. */
    boolean cancelled();

    /** The step's log ({@code logs/<step>.log}). */
    System.Logger logger();
}
