using Voxora.Server;

// Composition lives in VoxoraHost so the tests and the bench tool start exactly the same server.
return await VoxoraHost.RunAsync(args);
