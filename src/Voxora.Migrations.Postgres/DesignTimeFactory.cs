using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;

namespace Voxora.Migrations.Postgres;

/// <summary>Used only by <c>dotnet ef migrations add … --project src/Voxora.Migrations.Postgres</c>; needs no live server.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<VoxoraDbContext>
{
    public VoxoraDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<VoxoraDbContext>();
        DatabaseSetup.Configure(builder, DatabaseProvider.Postgres, "Host=localhost;Database=voxora_design");
        return new VoxoraDbContext(builder.Options);
    }
}
